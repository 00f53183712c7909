import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

/// A vault in a fresh temporary directory with a real agency keypair, plus a keyring wrapped at
/// libsodium's minimum Argon2id cost (`Argon2Cost.minimumForTests`) so tests stay fast.
final class TestVault {
    let root: URL
    let vault: Vault
    let key: AgencySecretKey
    let keyring: Keyring
    let vaultDirectory: URL
    static let passphrase = "test passphrase, not secret"

    init(policy: VaultPolicy = VaultPolicy(), name: String = #function) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("vaulttests-\(UUID().uuidString.prefix(8))", isDirectory: true)
        keyring = Keyring(directory: root.appendingPathComponent("keyring", isDirectory: true))
        vaultDirectory = root.appendingPathComponent("vault", isDirectory: true)
        _ = try keyring.initialise(
            vaultDirectory: vaultDirectory, policy: policy, investigator: "alice",
            passphrase: Self.secure(Self.passphrase), cost: .minimumForTests)
        key = try keyring.unlock(investigator: "alice", passphrase: Self.secure(Self.passphrase))[0]
        vault = try Vault(directory: vaultDirectory, policy: policy)
    }

    var investigation: Investigation { Investigation(vault: vault, keys: [key], investigator: "alice") }

    deinit { try? FileManager.default.removeItem(at: root) }

    static func secure(_ text: String) -> SecureBytes { SecureBytes(copying: Array(text.utf8)) }

    static func randomLookupID() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }

    /// Writes a tip through `TipComposer` with attachments produced piece by piece by `source`
    /// (called with the attachment index and a piece number until it returns nil).
    @discardableResult
    func compose(
        message: String = "a tip", category: String? = "fraud", replyKey: [UInt8]? = nil, lookupID: [UInt8] = randomLookupID(),
        attachments: [Int] = [], source: ((UInt32, Int) -> [UInt8]?)? = nil
    ) throws -> TipID {
        let recipients = try Vault.agencyPublicKeys(in: vaultDirectory)
        let composer = try TipComposer(vault: vault, lookupID: lookupID, recipients: [recipients.last!])
        var entries: [AttachmentEntry] = []
        for (i, size) in attachments.enumerated() {
            let index = UInt32(i)
            try composer.beginAttachment(index)
            if let source {
                var n = 0
                while let piece = source(index, n) { try composer.push(piece); n += 1 }
            } else {
                try composer.push(Self.pattern(count: size, seed: UInt64(i)))
            }
            let bytes = try composer.endAttachment()
            entries.append(
                AttachmentEntry(
                    index: index, name: "attachment-\(i + 1).jpg", format: "jpeg", bytes: bytes,
                    removed: ["gps", "exif"], kept: ["orientation"]))
        }
        return try composer.finish(
            document: TipDocument(
                kind: .tip, message: message, category: category, answers: ["Where?": "river"], replyPublicKey: replyKey,
                attachments: entries))
    }

    /// Deterministic pseudo-random bytes (xorshift64*), so big payloads need no stored copy.
    static func pattern(count: Int, seed: UInt64, offset: Int = 0) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(offset / 8) &+ 1
        var out = [UInt8](repeating: 0, count: count)
        var word: UInt64 = 0
        for i in 0..<count {
            if i % 8 == 0 {
                state ^= state >> 12; state ^= state << 25; state ^= state >> 27
                word = state &* 0x2545_F491_4F6C_DD1D
            }
            out[i] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(i % 8)))
        }
        return out
    }
}

/// Every byte of every file under `directory` (recursively), for canary scans.
func allFileBytes(under directory: URL) throws -> [(path: String, bytes: Data)] {
    var result: [(String, Data)] = []
    let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])!
    for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
        result.append((url.path, try Data(contentsOf: url)))
    }
    return result
}

extension Data {
    func contains(_ needle: String) -> Bool { range(of: Data(needle.utf8)) != nil }
}

/// A tipster's reply keypair, derived the way the server does it (receipt → Argon2id → KDF).
struct ReplyKeyPair {
    let keys: ReceiptKeys

    init() {
        keys = try! ReceiptKeys.derive(from: Receipt.generate(), salt: DeploymentSalt.generate(), cost: .minimumForTests)
    }

    var publicBytes: [UInt8] { keys.replyPublicKey.bytes }

    func open(_ sealed: [UInt8]) throws -> TipsterNotice {
        let plain = try SealedBox.open(sealed, with: keys.replySecretKey)
        return try JSONDecoder().decode(TipsterNotice.self, from: plain.withUnsafeBytes { Data($0) })
    }
}
