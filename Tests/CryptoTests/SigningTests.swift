import Testing

@testable import TiplineCrypto

/// Seeded keys shared by the signing, roster and request-signature tests (FORMAT.md §12–14).
enum SigningFixtures {
    /// RFC 8032 §7.1 TEST 1: the secret key (seed), its public key and the signature of "".
    static let rfcSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfcPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let rfcSignature =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    /// A key seeded with 32 copies of `byte`.
    static func key(_ byte: UInt8) -> InvestigatorSigningKey {
        try! InvestigatorSigningKey(seed: SecureBytes(copying: [UInt8](repeating: byte, count: 32)))
    }
}

@Suite("Ed25519 investigator keys")
struct SigningTests {
    @Test("a seeded key gives RFC 8032's public key and signature (FORMAT.md §12.2)")
    func rfcVector() throws {
        let key = try InvestigatorSigningKey(seed: SecureBytes(copying: TestSupport.bytes(hex: SigningFixtures.rfcSeed)))
        #expect(TestSupport.hex(key.publicKey.bytes) == SigningFixtures.rfcPublic)
        #expect(TestSupport.hex(key.sign([])) == SigningFixtures.rfcSignature)
        #expect(key.publicKey.text == "tipline-investigator-pk-v1:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
        #expect(key.publicKey.verifies(TestSupport.bytes(hex: SigningFixtures.rfcSignature), of: []))
    }

    @Test("the seed comes back out of the secret key for wrapping")
    func seedRoundTrip() throws {
        let key = InvestigatorSigningKey.generate()
        let again = try InvestigatorSigningKey(seed: key.seed)
        #expect(again.publicKey == key.publicKey)
        #expect(again.sign([1, 2, 3]) == key.sign([1, 2, 3]))
    }

    @Test("a signature fails for another message, another key, a flipped bit or a wrong length")
    func verificationFailures() {
        let key = SigningFixtures.key(1)
        let message = Array("change status".utf8)
        let signature = key.sign(message)
        #expect(key.publicKey.verifies(signature, of: message))
        #expect(!key.publicKey.verifies(signature, of: message + [0]))
        #expect(!SigningFixtures.key(2).publicKey.verifies(signature, of: message))
        for index in [0, 31, 32, 63] {
            var flipped = signature
            flipped[index] ^= 0x01
            #expect(!key.publicKey.verifies(flipped, of: message))
        }
        #expect(!key.publicKey.verifies(Array(signature.dropLast()), of: message))
        #expect(!key.publicKey.verifies(signature + [0], of: message))
    }

    @Test("public key text round trips; other prefixes and lengths are refused")
    func keyText() throws {
        let key = SigningFixtures.key(7).publicKey
        #expect(try InvestigatorPublicKey(text: "\n " + key.text + "\n") == key)
        let agency = AgencySecretKey.generate().publicKey.text
        for bad in ["", InvestigatorPublicKey.textPrefix, agency, String(key.text.dropLast(4)), key.text + "AAAA", key.text + " x"] {
            #expect(throws: CryptoError.malformedKeyText) { try InvestigatorPublicKey(text: bad) }
        }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, got: 31)) {
            try InvestigatorPublicKey(bytes: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, got: 16)) {
            try InvestigatorSigningKey(seed: SecureBytes(count: 16))
        }
    }
}
