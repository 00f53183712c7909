import Foundation
import NIOCore
import TiplineCrypto
import TiplinePolicy
import TiplineVault

@testable import TipIntake

/// A data directory with a real vault, agency.pub and a keyring wrapped at libsodium's minimum
/// Argon2id cost, plus `IntakeServices` over it with a test policy whose receipt cost is the
/// loader's minimum (1 pass, 8 KiB) so each derivation takes microseconds.
final class UnitVault {
    let root: URL
    let dataDirectory: URL
    let key: AgencySecretKey
    let services: IntakeServices
    static let passphrase = "unit test passphrase, not secret"

    init(policy: Policy = UnitVault.testPolicy()) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-unit-\(UUID().uuidString.prefix(8))")
        dataDirectory = root.appendingPathComponent("vault")
        let keyring = Keyring(directory: root.appendingPathComponent("keyring"))
        _ = try keyring.initialise(
            vaultDirectory: dataDirectory, policy: policy.vault, investigator: "alice",
            passphrase: SecureBytes(copying: Array(Self.passphrase.utf8)), cost: .minimumForTests)
        key = try keyring.unlock(investigator: "alice", passphrase: SecureBytes(copying: Array(Self.passphrase.utf8)))[0]
        services = try IntakeServices(configuration: IntakeConfiguration(dataDirectory: dataDirectory, policy: policy))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var investigation: Investigation { Investigation(vault: services.vault, keys: [key], investigator: "alice") }

    static func testPolicy() -> Policy {
        var policy = Policy()
        policy.receipts.argon2OpsLimit = 1
        policy.receipts.argon2MemLimitBytes = 8192
        policy.intake.questions = ["Where did this happen?"]
        return policy
    }
}

/// Builds multipart/form-data bodies by hand, so tests control every byte.
struct UnitMultipartBody {
    static let boundary = "----TiplineUnitBoundary7MA4YWxkTrZu0gW"
    var bytes: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=\(Self.boundary)" }

    mutating func field(_ name: String, _ value: String) {
        bytes += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func file(_ name: String, filename: String, _ content: [UInt8]) {
        bytes += Array(
            "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        bytes += content
        bytes += Array("\r\n".utf8)
    }

    func finished() -> [UInt8] { bytes + Array("--\(Self.boundary)--\r\n".utf8) }

    /// The body as the server would receive it: ByteBuffers of `piece` bytes.
    static func stream(_ body: [UInt8], piece: Int = 7919) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            var start = 0
            while start < body.count {
                let end = min(start + piece, body.count)
                continuation.yield(ByteBuffer(bytes: body[start..<end]))
                start = end
            }
            continuation.finish()
        }
    }
}

/// The shared real-world corpus (TIPLINE_CORPUS, else ../shared/corpus beside the checkout).
enum UnitCorpus {
    static let root: URL = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var candidates = [
            repo.appendingPathComponent("../shared/corpus").standardizedFileURL,
            repo.appendingPathComponent("../../shared/corpus").standardizedFileURL,
            URL(fileURLWithPath: "/work/shared/corpus"),
        ]
        if let env = ProcessInfo.processInfo.environment["TIPLINE_CORPUS"] {
            candidates.insert(URL(fileURLWithPath: env), at: 0)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("exif-samples").path) }
            ?? candidates[0]
    }()

    static var gpsJPEG: URL { root.appendingPathComponent("exif-samples/jpg/gps/DSCN0010.jpg") }

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
}
