import CSodium
import Testing

@testable import TiplineCrypto

/// FORMAT.md followed step by step with raw libsodium calls, independently of the library's
/// own wrappers: if the code drifts from the spec, these fail even when vectors were regenerated.
@Suite("FORMAT.md by hand")
struct SpecByHandTests {
    static func kdf(_ key: [UInt8], id: UInt64, context: String) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        precondition(crypto_kdf_derive_from_key(&out, 32, id, context, key) == 0)
        return out
    }

    @Test("§5: receipt seed, lookup id and reply key")
    func receiptKeys() throws {
        _ = sodium_init()
        let entropy = TestSupport.pattern(count: 15, seed: 21), salt = TestSupport.pattern(count: 16, seed: 22)
        var seed = [UInt8](repeating: 0, count: 32)
        let password = entropy.map { CChar(bitPattern: $0) }
        #expect(crypto_pwhash(&seed, 32, password, 15, salt, 1, 8192, crypto_pwhash_alg_argon2id13()) == 0)
        var replyPublic = [UInt8](repeating: 0, count: 32), replySecret = [UInt8](repeating: 0, count: 32)
        #expect(crypto_box_seed_keypair(&replyPublic, &replySecret, Self.kdf(seed, id: 2, context: "TLRCPTv1")) == 0)

        let keys = try ReceiptKeys.derive(
            from: TestOnlyDeterminism.receipt(entropy: entropy), salt: DeploymentSalt(bytes: salt), cost: .minimumForTests)
        #expect(keys.lookupID == Self.kdf(seed, id: 1, context: "TLRCPTv1"))
        #expect(keys.replyPublicKey.bytes == replyPublic)
    }

    @Test("§6.4: decrypt an envelope's document with raw libsodium")
    func envelopeByHand() throws {
        _ = sodium_init()
        let agency = AgencySecretKey.generate()
        let writer = try EnvelopeWriter(recipients: [AgencySecretKey.generate().publicKey, agency.publicKey])
        let message = TestSupport.pattern(count: 70_000, seed: 23)
        let encryptor = writer.encryptor(for: .attachment(4))
        let part = encryptor.push(message) + encryptor.finish()

        // Steps 1–3: find our entry by hint, open the file key.
        let header = writer.header
        #expect(Array(header[0..<7]) == [0x54, 0x4c, 0x45, 0x4e, 0x56, 1, 2])
        var hint = [UInt8](repeating: 0, count: 8)
        crypto_generichash(&hint, 8, agency.publicKey.bytes, 32, nil, 0)
        let entry = try #require((0..<2).map { 7 + 88 * $0 }.first { Array(header[$0..<$0 + 8]) == hint })
        var fileKey = [UInt8](repeating: 0, count: 32)
        let sealed = Array(header[(entry + 8)..<(entry + 88)])
        let secret = TestOnlyDeterminism.secretBytes(of: agency).withUnsafeBytes { Array($0) }
        #expect(crypto_box_seal_open(&fileKey, sealed, 80, agency.publicKey.bytes, secret) == 0)

        // Steps 4–7: part key, secretstream, tags, padding.
        let partKey = Self.kdf(fileKey, id: 5, context: "TLPARTv1")
        var reader = RawSecretstream(key: partKey, header: Array(part[0..<24]))
        var padded = [UInt8](), tags = [UInt8]()
        var offset = 24
        while offset < part.count {
            let end = min(offset + 65_553, part.count)
            let pulled = reader.pull(part[offset..<end])
            let chunk = try #require(pulled)
            padded += chunk.plaintext
            tags.append(chunk.tag)
            offset = end
        }
        #expect(tags == [0, 3])
        #expect(padded.count == Int(Padding.paddedLength(70_001)))
        let end = try #require(padded.lastIndex { $0 != 0 })
        #expect(padded[end] == 0x80)
        #expect(Array(padded[..<end]) == message)
    }

    @Test("§9: unwrap a key blob by hand")
    func passphraseBlobByHand() throws {
        _ = sodium_init()
        let agency = AgencySecretKey.generate()
        let passphrase = Array("open sesame".utf8)
        let blob = try PassphraseWrap.wrap(agency, passphrase: SecureBytes(copying: passphrase), cost: .minimumForTests)
        let ops = blob[6..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let mem = blob[10..<18].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(ops == 1 && mem == 8192)
        var key = [UInt8](repeating: 0, count: 32)
        #expect(
            crypto_pwhash(
                &key, 32, passphrase.map { CChar(bitPattern: $0) }, UInt64(passphrase.count),
                Array(blob[18..<34]), ops, Int(mem), crypto_pwhash_alg_argon2id13()) == 0)
        var secret = [UInt8](repeating: 0, count: 32)
        #expect(crypto_secretbox_open_easy(&secret, Array(blob[58...]), 48, Array(blob[34..<58]), key) == 0)
        var publicKey = [UInt8](repeating: 0, count: 32)
        crypto_scalarmult_base(&publicKey, secret)
        #expect(publicKey == agency.publicKey.bytes)
    }
}
