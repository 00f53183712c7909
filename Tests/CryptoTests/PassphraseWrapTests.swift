import Testing

@testable import TiplineCrypto

@Suite("Passphrase wrap")
struct PassphraseWrapTests {
    static let passphrase = SecureBytes(copying: Array("correct horse battery staple".utf8))

    @Test("wrap then unwrap returns the same secret key")
    func roundTrip() throws {
        let key = AgencySecretKey.generate()
        let blob = try PassphraseWrap.wrap(key, passphrase: Self.passphrase, cost: .minimumForTests)
        #expect(blob.count == 106)
        #expect(Array(blob[0..<6]) == Array("TLKEY".utf8) + [1])
        let unwrapped = try PassphraseWrap.unwrap(blob, passphrase: Self.passphrase)
        #expect(unwrapped.publicKey == key.publicKey)
        #expect(unwrapped.secretBytes == key.secretBytes)
        // Two wraps of one key differ (fresh salt and nonce).
        #expect(try PassphraseWrap.wrap(key, passphrase: Self.passphrase, cost: .minimumForTests) != blob)
    }

    @Test("a wrong passphrase is reported as such")
    func wrongPassphrase() throws {
        let blob = try PassphraseWrap.wrap(.generate(), passphrase: Self.passphrase, cost: .minimumForTests)
        #expect(throws: CryptoError.wrongPassphrase) {
            try PassphraseWrap.unwrap(blob, passphrase: SecureBytes(copying: Array("correct horse battery stapler".utf8)))
        }
        #expect(throws: CryptoError.wrongPassphrase) { try PassphraseWrap.unwrap(blob, passphrase: SecureBytes(count: 0)) }
    }

    @Test("corrupted magic, version or an out-of-range cost make the blob malformed", arguments: [0, 4, 5, 6, 9, 10])
    func corruptedHeader(position: Int) throws {
        var blob = try PassphraseWrap.wrap(.generate(), passphrase: Self.passphrase, cost: .minimumForTests)
        blob[position] ^= 0x01
        #expect(throws: CryptoError.malformedWrappedKey) { try PassphraseWrap.unwrap(blob, passphrase: Self.passphrase) }
    }

    @Test("a changed cost, salt, nonce or ciphertext no longer fits the passphrase", arguments: [15, 20, 40, 70, 105])
    func corruptedBody(position: Int) throws {
        var blob = try PassphraseWrap.wrap(.generate(), passphrase: Self.passphrase, cost: .minimumForTests)
        blob[position] ^= 0x01
        #expect(throws: CryptoError.wrongPassphrase) { try PassphraseWrap.unwrap(blob, passphrase: Self.passphrase) }
    }

    @Test("wrap refuses costs a reader would reject")
    func costCap() throws {
        let tooSlow = try Argon2Cost(opsLimit: 33, memLimitBytes: 8192)
        #expect(throws: CryptoError.self) {
            try PassphraseWrap.wrap(.generate(), passphrase: Self.passphrase, cost: tooSlow)
        }
    }

    @Test("short, long or empty blobs are malformed")
    func wrongLength() throws {
        let blob = try PassphraseWrap.wrap(.generate(), passphrase: Self.passphrase, cost: .minimumForTests)
        for bad in [[], Array(blob.dropLast()), blob + [0]] {
            #expect(throws: CryptoError.malformedWrappedKey) { try PassphraseWrap.unwrap(bad, passphrase: Self.passphrase) }
        }
    }
}
