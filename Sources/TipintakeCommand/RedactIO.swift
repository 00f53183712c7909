import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct RedactIOError: Error {
    let reason: String
    static func errno(_ what: String) -> RedactIOError {
        RedactIOError(reason: "\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// Reads a file or standard input in 1 MiB pieces.
final class RedactInput {
    static let pieceSize = 1 << 20
    private let fd: Int32
    private let owned: Bool
    private var buffer = [UInt8](repeating: 0, count: pieceSize)

    init(path: String) throws(RedactIOError) {
        if path == "-" {
            fd = STDIN_FILENO
            owned = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .errno("open") }
            owned = true
        }
    }

    deinit { if owned { close(fd) } }

    func next() throws(RedactIOError) -> [UInt8]? {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && Glibc.errno == EINTR { continue }
            guard n >= 0 else { throw .errno("read") }
            return n == 0 ? nil : Array(buffer[0..<n])
        }
    }
}

/// Writes to a hidden temporary file beside OUT and renames it into place on `commit`, so a
/// refused file never leaves a partial OUT; `-` collects in memory and writes on `commit`.
final class RedactOutput {
    private let path: String
    private let temp: String?
    private var fd: Int32 = -1
    private var memory: [UInt8] = []

    init(path: String, overwrite: Bool) throws(RedactIOError) {
        self.path = path
        if path == "-" {
            temp = nil
            return
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            // --force replaces a regular file only: renaming over a device node, a FIFO or a
            // symbolic link would silently change what that name is.
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw RedactIOError(reason: "is not a regular file; write to a regular file, or to `-` for standard output")
            }
            if !overwrite { throw RedactIOError(reason: "already exists; choose another name or pass --force") }
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let t = "\(dir)/.\(url.lastPathComponent).tipline-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        fd = open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .errno("cannot create a file beside it") }
        temp = t
    }

    func write(_ bytes: [UInt8]) throws(RedactIOError) {
        guard !bytes.isEmpty else { return }
        guard temp != nil else { return memory += bytes }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && Glibc.errno == EINTR { continue }
            guard n > 0 else { throw .errno("write") }
            done += n
        }
    }

    func commit() throws(RedactIOError) {
        guard let temp else {
            FileHandle.standardOutput.write(Data(memory))
            return
        }
        guard fsync(fd) == 0 else { throw .errno("fsync") }
        close(fd)
        fd = -1
        guard rename(temp, path) == 0 else { throw .errno("rename") }
    }

    func abandon() {
        if fd >= 0 { close(fd) }
        fd = -1
        if let temp { unlink(temp) }
        memory = []
    }
}
