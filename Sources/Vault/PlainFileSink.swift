import Foundation
import TiplineCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where decrypted attachments go: a new file (O_EXCL, 0600) written piece by piece as the
/// decryptor authenticates chunks. On any failure the partial file is removed, so an export
/// never leaves a truncated attachment that looks complete.
struct PlainFileSink {
    /// `attachment-2.jpg`, or `followup-1-attachment-2.jpg`: built from numbers and a cleaned
    /// format only, never from names that came with the tip.
    static func neutralName(followUp: Int, index: UInt32, format: String) -> String {
        let known = ["jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif", "heif": "heic", "tiff": "tif"]
        let cleaned = String(format.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(8))
        let ext = known[cleaned] ?? (cleaned.isEmpty ? "bin" : cleaned)
        let base = "attachment-\(index + 1).\(ext)"
        return followUp == 0 ? base : "followup-\(followUp)-\(base)"
    }

    /// Makes `directory` (0700) if missing and fails if any of `names` already exists in it.
    static func prepare(_ directory: URL, names: [String]) throws(VaultError) {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .fileIO(path: directory.path, reason: "cannot create the directory")
        }
        for name in names {
            let path = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { throw .exportTargetExists(path: path) }
        }
    }

    /// Decrypts a part fed by `feed` into a new file at `url`; returns the plaintext size.
    static func decrypt(
        _ decryptor: StreamDecryptor, to url: URL, tip: String, part: String,
        feed: (([UInt8]) throws(VaultError) -> Void) throws(VaultError) -> Void
    ) throws(VaultError) -> Int {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .exportTargetExists(path: url.path) }
            throw .fileIO(path: url.path, reason: String(cString: strerror(errno)))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var written = 0
        do throws(VaultError) {
            try feed { (ciphertext) throws(VaultError) in
                let plain: [UInt8]
                do throws(CryptoError) { plain = try decryptor.push(ciphertext) } catch {
                    throw .partCorrupted(tip: tip, part: part, reason: error.description)
                }
                do { try handle.write(contentsOf: plain) } catch {
                    throw .fileIO(path: url.path, reason: "write failed (disk full?)")
                }
                written += plain.count
            }
            do throws(CryptoError) { try decryptor.finish() } catch {
                throw VaultError.partCorrupted(tip: tip, part: part, reason: error.description)
            }
            do { try handle.synchronize() } catch { throw VaultError.fileIO(path: url.path, reason: "cannot flush to disk") }
        } catch {
            try? handle.close()
            unlink(url.path)
            throw error
        }
        try? handle.close()
        return written
    }
}
