#if canImport(Glibc)
    import Glibc
#endif

/// Plain POSIX reads and writes in fixed-size pieces, shared by the Tipline run and the copy
/// baseline so the two differ only in what happens between the read and the write.
enum FileIO {
    static let pieceSize = 64 * 1024

    /// Calls `body` with each piece of the file at `path` and a writer to `out` (through
    /// `blocks` when given); at end of input, `end` writes what is left through the same writer.
    static func stream(
        _ path: String, to out: String, buffer: UnsafeMutableRawBufferPointer, blocks: BlockWriter? = nil,
        end: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void = { _ in },
        _ body: (UnsafeRawBufferPointer, (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw BenchError("cannot open \(path)") }
        defer { close(input) }
        let output = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw BenchError("cannot create \(out)") }
        defer { close(output) }
        let direct: (UnsafeRawBufferPointer) throws -> Void = { bytes in try writeAll(output, bytes) }
        blocks?.begin(direct)
        let write: (UnsafeRawBufferPointer) throws -> Void = blocks.map { b in { try b.write($0) } } ?? direct
        while true {
            let n = read(input, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw BenchError("read failed on \(path)") }
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), write)
        }
        try end(write)
        try blocks?.flush()
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw BenchError("write failed") }
            done += n
        }
    }
}

/// Gathers released bytes and writes them in whole `FileIO.pieceSize` blocks, so the Tipline run
/// writes in the same block size as the copy (a scrubber releases a little less than it read,
/// and unaligned writes cost the kernel more than the scrubbing costs Tipline).
final class BlockWriter {
    private let block: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var sink: ((UnsafeRawBufferPointer) throws -> Void)?

    init() { block = .allocate(byteCount: FileIO.pieceSize, alignment: 16) }
    deinit { block.deallocate() }

    func begin(_ write: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        sink = write
        filled = 0
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var from = 0
        while from < bytes.count {
            let take = min(block.count - filled, bytes.count - from)
            UnsafeMutableRawBufferPointer(rebasing: block[filled..<(filled + take)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[from..<(from + take)]))
            filled += take
            from += take
            if filled == block.count { try flush() }
        }
    }

    func flush() throws {
        if filled > 0 { try sink?(UnsafeRawBufferPointer(rebasing: block[0..<filled])) }
        filled = 0
    }
}
