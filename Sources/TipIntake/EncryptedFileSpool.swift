import Foundation
import TiplineCrypto
import TiplineRedaction

/// The intake's `ScrubSpool`: a nameless temporary file (`O_TMPFILE`, or created and unlinked
/// at once where that is not supported) in the data directory, holding 64 KiB blocks sealed by
/// a `SpoolCipher` whose key lives only in this object's locked memory. Nothing of the video is
/// ever on disk in the clear, and once the upload ends neither the file nor the key exists.
/// Memory stays bounded: one partial block being filled, one block being read.
final class EncryptedFileSpool: ScrubSpool {
    static let blockBytes = 64 * 1024
    private static var sealedBlockBytes: Int { blockBytes + SpoolCipher.tagBytes }
    /// Linux's `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`), which Glibc's Swift overlay does not export.
    private static let oTmpFile: Int32 = 0o20_000_000 | O_DIRECTORY

    private let cipher = SpoolCipher()
    private let fd: Int32
    private var filling: SecureBytes
    private var filled = 0
    private var sealedBlocks = 0
    private var readIndex = -1
    private let readBlock = SecureBytes(count: blockBytes)
    private(set) var count = 0

    init(directory: URL) throws(RedactionError) {
        var descriptor = open(directory.path, Self.oTmpFile | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            let path = directory.appendingPathComponent(".spool-\(UUID().uuidString)").path
            descriptor = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
            if descriptor >= 0 { unlink(path) }
        }
        guard descriptor >= 0 else { throw .spoolFailed(reason: "cannot create a temporary file (errno \(errno))") }
        fd = descriptor
        filling = SecureBytes(count: Self.blockBytes)
    }

    deinit { close(fd) }

    func append(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var i = 0
        while i < bytes.count {
            let n = min(Self.blockBytes - filled, bytes.count - i)
            let at = filled
            filling.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: at).copyMemory(from: bytes.baseAddress!.advanced(by: i), byteCount: n)
            }
            filled += n
            i += n
            count += n
            if filled == Self.blockBytes { try sealFilling() }
        }
    }

    private func sealFilling() throws(RedactionError) {
        let index = UInt64(sealedBlocks)
        let sealed = filling.withUnsafeBytes { cipher.seal(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), index: index) }
        let written = sealed.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(sealedBlocks * Self.sealedBlockBytes)) }
        guard written == sealed.count else { throw .spoolFailed(reason: "cannot write the temporary file (errno \(errno))") }
        sealedBlocks += 1
        filled = 0
    }

    func read(at offset: Int, count wanted: Int, into buffer: inout [UInt8]) throws(RedactionError) {
        precondition(offset >= 0 && wanted >= 0 && offset <= count - wanted, "spool read out of range")
        buffer.removeAll(keepingCapacity: true)
        try SpoolBlocks.walk(offset: offset, count: wanted, blockBytes: Self.blockBytes) { (block, within) throws(RedactionError) in
            if block == sealedBlocks {
                filling.withUnsafeBytes { buffer.append(contentsOf: $0[within]) }
            } else {
                try load(block)
                readBlock.withUnsafeBytes { buffer.append(contentsOf: $0[within]) }
            }
        }
    }

    private func load(_ block: Int) throws(RedactionError) {
        guard block != readIndex else { return }
        var sealed = [UInt8](repeating: 0, count: Self.sealedBlockBytes)
        let got = sealed.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(block * Self.sealedBlockBytes)) }
        guard got == Self.sealedBlockBytes, cipher.open(sealed, index: UInt64(block), into: readBlock) == Self.blockBytes else {
            readIndex = -1
            throw .spoolFailed(reason: "the temporary file could not be read back")
        }
        readIndex = block
    }
}
