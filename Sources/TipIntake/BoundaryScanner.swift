/// Finds the multipart delimiter `CRLF--boundary` in raw body bytes. Binary data holds a CR
/// about every 256 bytes, so nearly all the work is the CR search, done eight bytes at a time.
struct BoundaryScanner {
    /// `\r\n--` followed by the boundary (RFC 2046 §5.1.1).
    let delimiter: [UInt8]

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    enum Match {
        /// Not the delimiter: the CR is data.
        case none
        /// The bytes run out while still matching: decide when more arrive.
        case partial
        /// The whole delimiter is there.
        case full
    }

    /// Index of the first CR at or after `from`, or `bytes.count` when there is none.
    static func firstCR(in bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        let count = bytes.count
        guard let base = bytes.baseAddress, from < count else { return count }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let crs: UInt64 = 0x0D0D_0D0D_0D0D_0D0D
        var index = from
        // Two words per round; the classic "has a zero byte" test on word ^ CRCRCR...: its
        // lowest flagged byte is always a real CR (false positives only sit above a real one).
        while index + 16 <= count {
            let a = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ crs
            let b = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)) ^ crs
            let foundA = (a &- ones) & ~a & highs
            let foundB = (b &- ones) & ~b & highs
            if foundA | foundB != 0 {
                if foundA != 0 { return index + foundA.trailingZeroBitCount / 8 }
                return index + 8 + foundB.trailingZeroBitCount / 8
            }
            index += 16
        }
        while index < count {
            if base.load(fromByteOffset: index, as: UInt8.self) == 13 { return index }
            index += 1
        }
        return count
    }

    /// Whether the bytes starting at `at` (a CR) are the delimiter.
    func match(in bytes: UnsafeRawBufferPointer, at: Int) -> Match {
        let available = bytes.count - at
        let length = min(available, delimiter.count)
        var k = 0
        while k < length {
            if bytes[at + k] != delimiter[k] { return .none }
            k += 1
        }
        return length == delimiter.count ? .full : .partial
    }
}
