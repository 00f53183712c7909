import Foundation
import TiplineCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// `deployment.salt` in the data directory: the 16-byte Argon2id salt for receipts. Not secret,
/// but it must never change (every receipt would stop working), so it is created once with
/// mode 0600 and fsync'd, and a file of the wrong size is refused rather than replaced.
public enum DeploymentSaltFile {
    public static let fileName = "deployment.salt"

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(path: String, bytes: Int)
        case io(path: String, reason: String)

        public var description: String {
            switch self {
            case .malformed(let path, let bytes):
                "\(path) holds \(bytes) bytes where a deployment salt has 16; restore it from a backup (replacing it would invalidate every receipt)"
            case .io(let path, let reason):
                "cannot use \(path): \(reason); check the data directory's permissions"
            }
        }
    }

    /// Reads the salt, creating it on first start.
    public static func loadOrCreate(in directory: URL) throws(Failure) -> DeploymentSalt {
        let path = directory.appendingPathComponent(fileName).path
        if FileManager.default.fileExists(atPath: path) { return try read(path) }
        return try create(path, salt: DeploymentSalt.generate())
    }

    static func read(_ path: String) throws(Failure) -> DeploymentSalt {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io(path: path, reason: "it cannot be read")
        }
        guard let salt = try? DeploymentSalt(bytes: Array(data)) else {
            throw .malformed(path: path, bytes: data.count)
        }
        return salt
    }

    /// O_EXCL so two servers starting at once cannot both write one: the loser reads the winner's.
    static func create(_ path: String, salt: DeploymentSalt) throws(Failure) -> DeploymentSalt {
        let bytes = salt.bytes
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return try read(path) }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .io(path: path, reason: reason)
        }
        // The directory entry too, so the salt survives a crash right after first start.
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); close(dir) }
        return salt
    }
}
