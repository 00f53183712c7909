import Testing

@testable import TiplineCrypto

@Suite("PADMÉ padding")
struct PaddingTests {
    /// Hand-computed from the PADMÉ definition (FORMAT.md §8).
    static let table: [(UInt64, UInt64)] = [
        (0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (7, 7), (8, 8), (9, 10), (10, 10), (11, 12),
        (15, 16), (17, 18), (33, 36), (65, 72), (100, 104), (129, 144), (255, 256),
        (257, 272), (1000, 1024), (1025, 1088), (4097, 4352), (65_536, 65_536),
        (65_537, 67_584), (1_000_000, 1_015_808), (1 << 20 | 1, 1_081_344),
        (10_485_760, 10_485_760), (10_485_761, 10_747_904), (1 << 32 | 1, 4_362_076_160),
    ]

    @Test("exact table")
    func exactTable() {
        for (length, padded) in Self.table {
            #expect(Padding.paddedLength(length) == padded, "PADMÉ(\(length))")
        }
    }

    @Test("never shorter, at most 12 % longer, monotonic, idempotent (sampled up to 2^40)")
    func properties() {
        var lengths: [UInt64] = Array(0...5000)
        var generator = SystemRandomNumberGenerator()
        for exponent in 12...40 {
            let base = UInt64(1) << exponent
            lengths += [base - 1, base, base + 1]
            lengths += (0..<200).map { _ in UInt64.random(in: base..<(base << 1), using: &generator) }
        }
        lengths.sort()
        var previous: UInt64 = 0
        for length in lengths {
            let padded = Padding.paddedLength(length)
            #expect(padded >= length)
            #expect(Double(padded - length) <= 0.12 * Double(length))
            #expect(padded >= previous, "monotonic at \(length)")
            #expect(Padding.paddedLength(padded) == padded)
            previous = padded
        }
    }

    @Test("buckets are coarse: few distinct sizes per power of two")
    func fewBuckets() {
        let distinct = Set((1 << 20..<(1 << 20) + 200_000).map { Padding.paddedLength(UInt64($0)) })
        #expect(distinct.count <= 8)
    }
}

@Suite("Sealed record buckets")
struct RecordBucketTests {
    @Test("512 B minimum, then powers of two (FORMAT.md §11)")
    func buckets() {
        let table = [(0, 512), (1, 512), (97, 512), (511, 512), (512, 512), (513, 1024), (1024, 1024), (1025, 2048), (20_000, 32_768)]
        for (length, padded) in table { #expect(Padding.recordLength(length) == padded, "recordLength(\(length))") }
    }
}
