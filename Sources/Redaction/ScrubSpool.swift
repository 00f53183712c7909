import TiplinePolicy

/// Where a scrubber that must see a whole file before it can write any of it keeps the bytes it
/// will copy out later: a phone video's sample index (`moov`) usually comes after its media
/// data, so nothing is known to be clean until the end. Intake supplies a spool that encrypts
/// what it holds under a key that lives only in locked memory; tests and the CLI hold it in
/// memory. A spool holds only bytes of the original file, never more than the file's limit.
public protocol ScrubSpool: AnyObject {
    /// Bytes appended so far.
    var count: Int { get }
    func append(_ bytes: UnsafeRawBufferPointer) throws(RedactionError)
    /// Replaces `buffer` with the `count` bytes at `offset` (which lie below `self.count`).
    func read(at offset: Int, count: Int, into buffer: inout [UInt8]) throws(RedactionError)
    /// Calls `body` with the `count` bytes at `offset`: lent from the spool's own memory where
    /// it can (the memory spool, when they lie in one block), otherwise read into `scratch`.
    /// The bytes are valid only inside `body`. Defaults to `read(at:count:into:)`.
    func withBytes<R>(
        at offset: Int, count: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws(RedactionError) -> R
    ) throws(RedactionError) -> R
}

extension ScrubSpool {
    public func withBytes<R>(
        at offset: Int, count: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws(RedactionError) -> R
    ) throws(RedactionError) -> R {
        try read(at: offset, count: count, into: &scratch)
        return try scratch.withRawBytes(body)
    }
}

/// The one block walk both spools read through: splits `count` bytes at `offset` into the
/// pieces that lie inside single blocks of `blockBytes`, in order.
public enum SpoolBlocks {
    public static func walk(
        offset: Int, count: Int, blockBytes: Int, _ body: (_ block: Int, _ within: Range<Int>) throws(RedactionError) -> Void
    ) throws(RedactionError) {
        var at = offset
        let end = offset + count
        while at < end {
            let within = at % blockBytes
            let n = min(blockBytes - within, end - at)
            try body(at / blockBytes, within..<(within + n))
            at += n
        }
    }
}

/// Makes one spool per file. Equal to every other maker: the choice of spool never changes
/// what a scrubber writes, only where it waits.
public struct SpoolMaker: Sendable, Equatable {
    public let make: @Sendable () throws(RedactionError) -> any ScrubSpool

    public init(_ make: @escaping @Sendable () throws(RedactionError) -> any ScrubSpool) {
        self.make = make
    }

    public static func == (a: Self, b: Self) -> Bool { true }

    /// Holds the bytes in process memory: for the CLI and tests, bounded by the file limit.
    public static let memory = SpoolMaker { MemorySpool() }
}

/// The in-memory spool: fixed 4 MiB blocks, so growing to a large file never copies what is
/// already held (one growing array spent most of a 1 GiB scrub in reallocation), and so the
/// rebuilder can borrow a sample or a 256 KiB piece in place rather than copy it out; only the
/// few that straddle two blocks are copied. The blocks are a multiple of 256 KiB for that reason.
final class MemorySpool: ScrubSpool {
    static let blockBytes = 4 << 20
    private var blocks: [[UInt8]] = []
    private(set) var count = 0

    func append(_ piece: UnsafeRawBufferPointer) throws(RedactionError) {
        var i = 0
        while i < piece.count {
            if blocks.isEmpty || blocks[blocks.count - 1].count == Self.blockBytes {
                blocks.append([])
                blocks[blocks.count - 1].reserveCapacity(Self.blockBytes)
            }
            let n = min(Self.blockBytes - blocks[blocks.count - 1].count, piece.count - i)
            blocks[blocks.count - 1].append(contentsOf: UnsafeRawBufferPointer(rebasing: piece[i..<(i + n)]))
            i += n
        }
        count += piece.count
    }

    func read(at offset: Int, count wanted: Int, into buffer: inout [UInt8]) throws(RedactionError) {
        precondition(offset >= 0 && wanted >= 0 && offset <= count - wanted, "spool read out of range")
        buffer.removeAll(keepingCapacity: true)
        try SpoolBlocks.walk(offset: offset, count: wanted, blockBytes: Self.blockBytes) { block, within in
            buffer.append(contentsOf: blocks[block][within])
        }
    }

    func withBytes<R>(
        at offset: Int, count wanted: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws(RedactionError) -> R
    ) throws(RedactionError) -> R {
        precondition(offset >= 0 && wanted >= 0 && offset <= count - wanted, "spool read out of range")
        let within = offset % Self.blockBytes
        guard within + wanted <= Self.blockBytes, wanted > 0 else {
            try read(at: offset, count: wanted, into: &scratch)
            return try scratch.withRawBytes(body)
        }
        return try blocks[offset / Self.blockBytes].withRawBytes { (block) throws(RedactionError) in
            try body(UnsafeRawBufferPointer(rebasing: block[within..<(within + wanted)]))
        }
    }
}
