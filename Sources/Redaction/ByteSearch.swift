/// Finds a byte value in raw memory eight bytes at a time. JPEG scan data is megabytes long and
/// its only structure is the 0xFF byte, so the JPEG scrubber and verifier spend most of their
/// time looking for it; a byte-by-byte loop made them several times slower than a plain copy.
/// A search, not a parser: sharing it does not make the verifier depend on the scrubber's reading.
enum ByteSearch {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first `byte` in `buffer` at or after `start`, or `buffer.count`.
    @inline(__always)
    static func first(_ byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = buffer.count
        guard start < n, let base = buffer.baseAddress else { return n }
        let pattern = ones &* UInt64(byte)
        var i = start
        @inline(__always) func match(_ at: Int) -> UInt64 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self)) ^ pattern
            return (word &- ones) & ~word & highs
        }
        // 32 bytes per step while nothing matches; the 8-byte loop below then pins the match.
        while i + 32 <= n, match(i) | match(i + 8) | match(i + 16) | match(i + 24) == 0 { i += 32 }
        while i + 8 <= n {
            // Little-endian order puts byte i lowest; a zero byte of `word ^ pattern` is a match,
            // and the lowest flagged byte is always a true one (borrows only run upwards).
            let found = match(i)
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n {
            if base.load(fromByteOffset: i, as: UInt8.self) == byte { return i }
            i += 1
        }
        return n
    }
}
