import Foundation
import Testing

@testable import TiplineCrypto

/// Test vectors (FORMAT.md §10): each committed file is read back through the public API, and
/// the whole folder must equal what `VectorGenerator` produces (the encrypt direction).
@Suite("Test vectors")
struct VectorTests {
    static let regenerate = ProcessInfo.processInfo.environment["TIPLINE_REGENERATE_VECTORS"] == "1"

    @Test("regenerate vector files (TIPLINE_REGENERATE_VECTORS=1)", .enabled(if: regenerate))
    func regenerateFiles() throws {
        let directory = VectorFile.sourceDirectory
        let existing = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }
        for name in existing { try FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
        for (name, file) in VectorGenerator.all() {
            try file.text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    @Test("committed vectors are exactly what the generator produces", .disabled(if: regenerate))
    func committedEqualGenerated() throws {
        let generated = VectorGenerator.all()
        #expect(Set(VectorFile.bundledNames()) == Set(generated.keys))
        for (name, file) in generated {
            let committed = try VectorFile.load(name)
            #expect(committed.text == file.text, "\(name) differs from the generator's output")
        }
    }

    @Test("each vector file reads as it says", arguments: VectorFile.bundledNames())
    func vector(name: String) throws {
        let file = try VectorFile.load(name)
        let expect = try #require(file["expect"])
        var outcome: CryptoError?
        do throws(CryptoError) {
            try Self.check(file)
        } catch {
            outcome = error
        }
        if expect == "success" {
            #expect(outcome == nil, "\(name): unexpected \(outcome.map(vectorName) ?? "")")
        } else {
            #expect(outcome.map(vectorName) == file["error"], "\(name)")
        }
    }

    static func check(_ file: VectorFile) throws(CryptoError) {
        switch file["kind"] {
        case "stream": try checkStream(file)
        case "envelope": try checkEnvelope(file)
        case "kdf":
            for line in file.all("subkey") {
                let parts = line.split(separator: " ")
                let id = UInt64(parts[0])!
                let part: EnvelopePart = id == 0 ? .document : .attachment(UInt32(id - 1))
                #expect(
                    TestOnlyDeterminism.partKey(fileKey: file.hex("file_key"), part: part)
                        == TestSupport.bytes(hex: String(parts[1])))
            }
        case "receipt-keys":
            let receipt = try Receipt(parsing: file["receipt"]!)
            #expect(TestOnlyDeterminism.entropy(of: receipt) == file.hex("entropy"))
            let keys = try ReceiptKeys.derive(
                from: receipt, salt: DeploymentSalt(bytes: file.hex("salt")),
                cost: Argon2Cost(opsLimit: file.int("ops_limit"), memLimitBytes: file.int("mem_limit_bytes")))
            #expect(keys.lookupID == file.hex("lookup_id"))
            #expect(keys.replyPublicKey.bytes == file.hex("reply_public_key"))
        case "receipt-text":
            if let input = file["input"] { _ = try Receipt(parsing: input); return }
            let receipt = TestOnlyDeterminism.receipt(entropy: file.hex("entropy"))
            #expect(receipt.displayText == file["receipt"])
            for accepted in [file["receipt"]!] + file.all("accept") {
                #expect(TestOnlyDeterminism.entropy(of: try Receipt(parsing: accepted)) == file.hex("entropy"))
            }
        case "padding":
            for line in file.all("padme") {
                let parts = line.split(separator: " ").map { UInt64($0)! }
                #expect(Padding.paddedLength(parts[0]) == parts[1])
            }
        case "agency-key":
            let key = TestOnlyDeterminism.agencyKey(seed: file.hex("seed")).publicKey
            #expect(key.bytes == file.hex("public_key"))
            #expect(try AgencyPublicKey(text: file["text"]!) == key)
            #expect(key.text == file["text"])
            #expect(key.fingerprint == file["fingerprint"])
        case "sealed-box":
            let reader = TestOnlyDeterminism.agencyKey(seed: file.hex("reader_seed"))
            let opened = try SealedBox.open(file.payload, with: reader)
            #expect(opened == SecureBytes(copying: file.hex("plaintext")))
        case "passphrase-wrap":
            let key = try PassphraseWrap.unwrap(file.payload, passphrase: SecureBytes(copying: file.hex("given_passphrase")))
            #expect(key.publicKey.bytes == file.hex("public_key"))
            let rewrapped = try TestOnlyDeterminism.wrap(
                key, passphrase: file.hex("passphrase"),
                cost: Argon2Cost(opsLimit: file.int("ops_limit"), memLimitBytes: file.int("mem_limit_bytes")),
                salt: file.hex("salt"), nonce: file.hex("nonce"))
            #expect(rewrapped == file.payload)
        default:
            Issue.record("unknown vector kind \(file["kind"] ?? "nil")")
        }
    }

    static func expectedPlaintext(_ file: VectorFile) -> [UInt8] {
        if let hex = file["plaintext"] { return TestSupport.bytes(hex: hex) }
        return VectorGenerator.pattern(file.int("plaintext_length"))
    }

    static func checkStream(_ file: VectorFile) throws(CryptoError) {
        let key = file.hex("key")
        let plaintext = expectedPlaintext(file)
        #expect(TestSupport.hex(Encoding.blake2b(plaintext, outputLength: 32)) == file["plaintext_blake2b256"])
        // Decrypt in two piece sizes; both must agree with the file.
        for pieceSize in [1 << 20, 13] {
            let decrypted = try TestSupport.decrypt(file.payload, key: SecureBytes(copying: key), pieceSize: pieceSize)
            #expect(decrypted == plaintext)
        }
        // Deterministic re-encryption under the header the payload starts with.
        let reencrypted = VectorGenerator.encryptStream(key: key, header: Array(file.payload[0..<24]), plaintext: plaintext)
        #expect(reencrypted == file.payload)
    }

    static func checkEnvelope(_ file: VectorFile) throws(CryptoError) {
        let reader = try EnvelopeReader(
            header: file.hex("envelope_header"), secretKey: TestOnlyDeterminism.agencyKey(seed: file.hex("reader_seed")))
        let document = try TestSupport.decrypt(file.payload, decryptor: reader.decryptor(for: .document), pieceSize: 1000)
        #expect(document == file.hex("document_plaintext"))
        // Encrypt direction: the same header from seeds, the same part from the fixed stream header.
        let recipients = file.all("recipient_seed").map { TestOnlyDeterminism.agencyKey(seed: TestSupport.bytes(hex: $0)) }
        let rebuilt = VectorGenerator.envelopeHeader(
            fileKey: file.hex("file_key"), recipients: recipients,
            ephemeralSeeds: file.all("ephemeral_seed").map { TestSupport.bytes(hex: $0) })
        #expect(rebuilt == file.hex("envelope_header"))
        let writer = try TestOnlyDeterminism.envelopeWriter(recipients: recipients.map(\.publicKey), fileKey: file.hex("file_key"))
        let encryptor = TestOnlyDeterminism.encryptor(writer, part: .document, header: file.hex("document_stream_header"))
        #expect(encryptor.push(document) + encryptor.finish() == file.payload)
    }
}
