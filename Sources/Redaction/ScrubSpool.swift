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

/// The in-memory spool.
final class MemorySpool: ScrubSpool {
    private var bytes: [UInt8] = []
    var count: Int { bytes.count }

    func append(_ piece: UnsafeRawBufferPointer) throws(RedactionError) {
        bytes.append(contentsOf: piece)
    }

    func read(at offset: Int, count: Int, into buffer: inout [UInt8]) throws(RedactionError) {
        precondition(offset >= 0 && count >= 0 && offset <= bytes.count - count, "spool read out of range")
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: bytes[offset..<(offset + count)])
    }
}
