import Testing

@testable import TiplineCrypto

@Suite("Keys and sealed boxes")
struct KeyAndSealedBoxTests {
    @Test("public key text form round trips and ignores surrounding whitespace")
    func publicKeyText() throws {
        let key = AgencySecretKey.generate().publicKey
        #expect(key.text.hasPrefix("tipline-agency-pk-v1:"))
        #expect(key.text.count == "tipline-agency-pk-v1:".count + 44)
        #expect(try AgencyPublicKey(text: key.text) == key)
        #expect(try AgencyPublicKey(text: "  \n" + key.text + "\n\n") == key)
    }

    @Test(
        "malformed key text is rejected",
        arguments: [
            "", "tipline-agency-pk-v1:", "tipline-agency-pk-v2:AAAA",
            "tipline-agency-pk-v1:AAAA", "tipline-agency-pk-v1:!!!!",
        ])
    func malformedKeyText(text: String) {
        #expect(throws: CryptoError.malformedKeyText) { try AgencyPublicKey(text: text) }
    }

    @Test("key text with a truncated or extended base64 body is rejected")
    func wrongLengthKeyText() {
        let text = AgencySecretKey.generate().publicKey.text
        #expect(throws: CryptoError.malformedKeyText) { try AgencyPublicKey(text: String(text.dropLast(4))) }
        #expect(throws: CryptoError.malformedKeyText) { try AgencyPublicKey(text: text + "AAAA") }
        #expect(throws: CryptoError.malformedKeyText) { try AgencyPublicKey(text: text + " x") }
    }

    @Test("keys of the wrong length are rejected with both lengths")
    func wrongLength() {
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, got: 31)) {
            try AgencyPublicKey(bytes: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, got: 33)) {
            try ReplyPublicKey(bytes: [UInt8](repeating: 1, count: 33))
        }
    }

    @Test("fingerprint is 16 hex digits of BLAKE2b-64 and differs between keys")
    func fingerprint() {
        let a = AgencySecretKey.generate().publicKey, b = AgencySecretKey.generate().publicKey
        #expect(a.fingerprint.count == 16)
        #expect(a.fingerprint.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(a.fingerprint != b.fingerprint)
        #expect(a.fingerprint == TestSupport.hex(a.keyIDHint))
    }

    @Test("seeded keypairs are deterministic")
    func seededKeypair() {
        let seed = [UInt8](repeating: 42, count: 32)
        #expect(TestOnlyDeterminism.agencyKey(seed: seed).publicKey == TestOnlyDeterminism.agencyKey(seed: seed).publicKey)
    }

    @Test("sealed box opens with its recipient and nobody else")
    func sealedBox() throws {
        let agency = AgencySecretKey.generate(), other = AgencySecretKey.generate()
        let message: [UInt8] = Array("meet at the usual place".utf8)
        let sealed = SealedBox.seal(message, to: agency.publicKey)
        #expect(sealed.count == message.count + 48)
        #expect(try SealedBox.open(sealed, with: agency) == SecureBytes(copying: message))
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(sealed, with: other) }
        var tampered = sealed
        tampered[50] ^= 1
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(tampered, with: agency) }
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open([1, 2, 3], with: agency) }
    }

    @Test("sealed box to a reply key opens with the receipt-derived secret key")
    func sealedBoxToReplyKey() throws {
        let receipt = Receipt.generate()
        let keys = try ReceiptKeys.derive(from: receipt, salt: .generate(), cost: .minimumForTests)
        let sealed = SealedBox.seal([1, 2, 3], to: keys.replyPublicKey)
        #expect(try SealedBox.open(sealed, with: keys.replySecretKey) == SecureBytes(copying: [1, 2, 3]))
        let stranger = TestOnlyDeterminism.replyKey(seed: [UInt8](repeating: 9, count: 32))
        #expect(throws: CryptoError.sealedBoxOpenFailed) { try SealedBox.open(sealed, with: stranger) }
    }
}
