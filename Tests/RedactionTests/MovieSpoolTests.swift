import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// The spool seam the movie rebuilder reads through: the memory spool lends bytes in place
/// (and copies only ranges that straddle its blocks), a spool that can only copy gets the
/// default, and either way the rebuilt movie is byte for byte the same.
@Suite struct MovieSpoolTests {
    /// Byte `i` of the test pattern: not periodic at any block size.
    static func pattern(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }

    static func filled(_ spool: any ScrubSpool, count: Int) throws {
        let bytes = (0..<count).map(pattern)
        var at = 0
        for size in [1, 65_536, 4_000_000, 7, 3_000_000] + Array(repeating: 1 << 20, count: 8) where at < count {
            let n = min(size, count - at)
            try bytes[at..<(at + n)].withUnsafeBytes { try spool.append($0) }
            at += n
        }
        #expect(at == count && spool.count == count)
    }

    @Test func memorySpoolLendsExactlyTheBytesItReads() throws {
        let block = MemorySpool.blockBytes
        let count = 2 * block + 123_457
        let spool = MemorySpool()
        try Self.filled(spool, count: count)
        let ranges = [
            (0, 0), (0, 10), (block - 5, 10), (block - 1, 1), (block, block), (2 * block - 100, 200), (count - 3, 3), (count, 0),
        ]
        var scratch: [UInt8] = []
        var read: [UInt8] = []
        for (offset, n) in ranges {
            let lent = try spool.withBytes(at: offset, count: n, scratch: &scratch) { Array($0) }
            try spool.read(at: offset, count: n, into: &read)
            #expect(lent == (offset..<(offset + n)).map(Self.pattern), "at \(offset), \(n) bytes")
            #expect(read == lent)
        }
    }

    @Test func aSpoolThatOnlyCopiesGetsTheDefaultBorrow() throws {
        let spool = CopyingSpool()
        try Self.filled(spool, count: 300_001)
        var scratch: [UInt8] = []
        let lent = try spool.withBytes(at: 299_990, count: 11, scratch: &scratch) { Array($0) }
        #expect(lent == (299_990..<300_001).map(Self.pattern))
        #expect(scratch == lent)
    }

    @Test func theRebuiltMovieDoesNotDependOnTheSpool() throws {
        let dir = try FormatsSupport.tempDir()
        let input = try FormatsSupport.read(try MovieFixtures.iPhoneMOV(in: dir))
        let inMemory = try Redactor(policy: RedactionPolicy()).redact(input)
        let copied = try Redactor(policy: RedactionPolicy(), spool: SpoolMaker { CopyingSpool() }).redact(input)
        #expect(copied.output == inMemory.output)
        #expect(copied.report == inMemory.report)
        // The fixture's user-data SEI went, so the rebuilder's changed-sample path ran too.
        #expect(MovieFixtures.contains(input, "CANARY-SEI") && !MovieFixtures.contains(copied.output, "CANARY-SEI"))
    }
}

/// A spool like intake's encrypted one: it can copy bytes out but has nothing to lend.
final class CopyingSpool: ScrubSpool {
    private var bytes: [UInt8] = []
    var count: Int { bytes.count }

    func append(_ piece: UnsafeRawBufferPointer) throws(RedactionError) { bytes.append(contentsOf: piece) }

    func read(at offset: Int, count n: Int, into buffer: inout [UInt8]) throws(RedactionError) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: bytes[offset..<(offset + n)])
    }
}
