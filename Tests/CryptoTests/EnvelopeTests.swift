import Testing

@testable import TiplineCrypto

@Suite("Envelope v1")
struct EnvelopeTests {
    static func encrypt(_ writer: EnvelopeWriter, _ part: EnvelopePart, _ plaintext: [UInt8]) -> [UInt8] {
        let encryptor = writer.encryptor(for: part)
        return encryptor.push(plaintext) + encryptor.finish()
    }

    static func decrypt(_ reader: EnvelopeReader, _ part: EnvelopePart, _ ciphertext: [UInt8]) throws(CryptoError)
        -> [UInt8]
    {
        try TestSupport.decrypt(ciphertext, decryptor: reader.decryptor(for: part), pieceSize: 5000)
    }

    @Test("every recipient reads every part; a non-recipient is told so")
    func multipleRecipients() throws {
        let alice = AgencySecretKey.generate(), bob = AgencySecretKey.generate(), eve = AgencySecretKey.generate()
        let writer = try EnvelopeWriter(recipients: [alice.publicKey, bob.publicKey])
        #expect(writer.header.count == 7 + 2 * 88)
        #expect(Array(writer.header[0..<7]) == Array("TLENV".utf8) + [1, 2])
        let document = Array("the shipment leaves on tuesday".utf8)
        let photo = TestSupport.pattern(count: 150_000)
        let documentCiphertext = Self.encrypt(writer, .document, document)
        let photoCiphertext = Self.encrypt(writer, .attachment(0), photo)
        for key in [alice, bob] {
            let reader = try EnvelopeReader(header: writer.header, secretKey: key)
            #expect(reader.recipientCount == 2)
            #expect(try Self.decrypt(reader, .document, documentCiphertext) == document)
            #expect(try Self.decrypt(reader, .attachment(0), photoCiphertext) == photo)
        }
        #expect(throws: CryptoError.notARecipient) { try EnvelopeReader(header: writer.header, secretKey: eve) }
    }

    @Test("parts use different keys: one part's ciphertext does not open as another")
    func partsAreSeparate() throws {
        let alice = AgencySecretKey.generate()
        let writer = try EnvelopeWriter(recipients: [alice.publicKey])
        let reader = try EnvelopeReader(header: writer.header, secretKey: alice)
        let ciphertext = Self.encrypt(writer, .attachment(1), [1, 2, 3])
        for wrongPart in [EnvelopePart.document, .attachment(0), .attachment(2)] {
            #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 0)) {
                try Self.decrypt(reader, wrongPart, ciphertext)
            }
        }
        #expect(try Self.decrypt(reader, .attachment(1), ciphertext) == [1, 2, 3])
    }

    @Test("resealed header lets a new recipient read the existing parts")
    func reseal() throws {
        let alice = AgencySecretKey.generate(), carol = AgencySecretKey.generate()
        let writer = try EnvelopeWriter(recipients: [alice.publicKey])
        let ciphertext = Self.encrypt(writer, .document, [7, 7, 7])
        let resealed = try EnvelopeReader(header: writer.header, secretKey: alice)
            .resealedHeader(to: [carol.publicKey])
        #expect(throws: CryptoError.notARecipient) { try EnvelopeReader(header: resealed, secretKey: alice) }
        let carolReader = try EnvelopeReader(header: resealed, secretKey: carol)
        #expect(try Self.decrypt(carolReader, .document, ciphertext) == [7, 7, 7])
    }

    @Test("malformed headers are rejected with the specific reason")
    func malformedHeaders() throws {
        let alice = AgencySecretKey.generate()
        let header = try EnvelopeWriter(recipients: [alice.publicKey]).header
        #expect(throws: CryptoError.malformedEnvelope(reason: "header has 3 bytes, fewer than the 7-byte fixed part")) {
            try EnvelopeReader(header: Array(header[0..<3]), secretKey: alice)
        }
        var badMagic = header
        badMagic[0] = UInt8(ascii: "X")
        #expect(throws: CryptoError.malformedEnvelope(reason: "it does not start with the Tipline envelope magic \"TLENV\"")) {
            try EnvelopeReader(header: badMagic, secretKey: alice)
        }
        var version2 = header
        version2[5] = 2
        #expect(throws: CryptoError.unsupportedEnvelopeVersion(2)) { try EnvelopeReader(header: version2, secretKey: alice) }
        var noRecipients = header
        noRecipients[6] = 0
        #expect(throws: CryptoError.malformedEnvelope(reason: "it names no recipients")) {
            try EnvelopeReader(header: noRecipients, secretKey: alice)
        }
        #expect(throws: CryptoError.malformedEnvelope(reason: "header is truncated: 94 of 95 bytes")) {
            try EnvelopeReader(header: Array(header.dropLast()), secretKey: alice)
        }
        #expect(throws: CryptoError.malformedEnvelope(reason: "1 unexpected bytes after the last recipient")) {
            try EnvelopeReader(header: header + [0], secretKey: alice)
        }
        var tampered = header
        tampered[7 + 8 + 40] ^= 1
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try EnvelopeReader(header: tampered, secretKey: alice) }
    }

    @Test("writer rejects an empty recipient list and removes duplicates")
    func recipientsValidation() throws {
        #expect(throws: CryptoError.malformedEnvelope(reason: "no recipients were given")) {
            try EnvelopeWriter(recipients: [])
        }
        let key = AgencySecretKey.generate().publicKey
        #expect(try EnvelopeWriter(recipients: [key, key]).header.count == 7 + 88)
    }
}
