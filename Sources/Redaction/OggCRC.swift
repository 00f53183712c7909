/// Ogg's page checksum: CRC-32 with polynomial 0x04C11DB7, not reflected, initial value 0 and
/// no final XOR, over the whole page with its CRC field read as zero. Not PNG's CRC-32
/// (`CRC32`, reflected with pre- and post-inversion). A checksum, not a parser, so the Ogg
/// scrubber and verifier may both use it.
struct OggCRC {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n) << 24
        for _ in 0..<8 { c = c & 0x8000_0000 != 0 ? (c << 1) ^ 0x04C1_1DB7 : c << 1 }
        return c
    }

    private(set) var value: UInt32 = 0

    mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        var c = value
        Self.table.withUnsafeBufferPointer { t in
            for b in bytes { c = (c << 8) ^ t[Int((c >> 24) ^ UInt32(b))] }
        }
        value = c
    }

    /// The CRC of a whole page, whose bytes 22..<26 (the CRC field) count as zero.
    static func ofPage<C: RandomAccessCollection>(_ page: C) -> UInt32 where C.Element == UInt8, C.Index == Int {
        var crc = OggCRC()
        let s = page.startIndex
        crc.update(page[s..<(s + 22)])
        crc.update([0, 0, 0, 0])
        crc.update(page[(s + 26)...])
        return crc.value
    }
}
