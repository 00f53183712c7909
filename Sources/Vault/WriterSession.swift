import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells live writers from dead ones. Each open `Vault` holds an exclusive `flock` on
/// `sessions/<id>.lock` for its lifetime; the kernel drops the lock when the process dies, even
/// by SIGKILL. Chunks of uploads whose session lock can be taken belong to a dead writer and
/// are removed, while a server writing right now keeps its in-flight uploads.
final class WriterSession: @unchecked Sendable {
    // @unchecked Sendable: `fd` and `id` are set once in init and only read afterwards.
    let id: String
    private let fd: Int32
    private let directory: URL

    init(vaultDirectory: URL) throws(VaultError) {
        directory = vaultDirectory.appendingPathComponent("sessions", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: directory.path, reason: "cannot create the sessions directory")
        }
        id = TipID.random().text
        let path = directory.appendingPathComponent("\(id).lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .cannotOpen(path: path, reason: "cannot lock the writer session file")
        }
    }

    deinit {
        unlink(directory.appendingPathComponent("\(id).lock").path)
        close(fd)
    }

    /// True when no live process holds `session`'s lock (its file is gone or lockable).
    /// A dead session's lock file is removed here too.
    func isDead(_ session: String) -> Bool {
        if session == id { return false }
        guard TipID(session) != nil else { return true }
        let path = directory.appendingPathComponent("\(session).lock").path
        let other = open(path, O_RDWR | O_CLOEXEC)
        if other < 0 { return true }
        defer { close(other) }
        guard flock(other, LOCK_EX | LOCK_NB) == 0 else { return false }
        unlink(path)
        return true
    }

    /// Lock files left by dead processes that never wrote (no upload rows name them).
    func removeStaleLockFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasSuffix(".lock") {
            _ = isDead(String(name.dropLast(5)))
        }
    }
}
