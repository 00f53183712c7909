import TiplinePolicy

/// Independent re-read of a scrubbed TIFF (no code shared with `TIFFScrubber`). Passes only for
/// a classic TIFF whose directories (one per page, loop-checked) hold only tags on this
/// verifier's own list of decoding tags, whose uncompressed strips or tiles hold the bytes
/// their sizes promise (`TIFFDecodability`), no text-typed field, and no byte outside the header, the directory, its
/// values and the strip/tile data other than zero padding (so nothing hides in gaps or after
/// the end).
public struct TIFFVerifier: WholeFileVerifier {
    public static let format = MediaFormat.tiff
    private let options: ScrubOptions
    private var data: [UInt8] = []

    /// Written out again here on purpose rather than shared with the scrubber's policy.
    private static let decodingTags: Set<Int> = [
        0xFE, 0x100, 0x101, 0x102, 0x103, 0x106, 0x10A, 0x111, 0x115, 0x116, 0x117, 0x11A, 0x11B,
        0x11C, 0x124, 0x125, 0x128, 0x12D, 0x13D, 0x13E, 0x13F, 0x140, 0x142, 0x143, 0x144, 0x145,
        0x14C, 0x152, 0x153, 0x15B, 0x211, 0x212, 0x213, 0x214,
    ]

    public init(options: ScrubOptions) { self.options = options }

    public mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) {
        try data.appendHeldWhole(output, limit: options.maxFileBytes)
    }

    private func fail(_ reason: String) -> RedactionError { .verificationFailed(.tiff, reason: reason) }

    public mutating func verify(whole output: [UInt8]) throws(RedactionError) {
        data = output
        try finish()
    }

    public mutating func finish() throws(RedactionError) {
        guard data.count >= 8 else { throw fail("shorter than a TIFF header") }
        let motorola: Bool
        switch (data[0], data[1]) {
        case (0x4D, 0x4D): motorola = true
        case (0x49, 0x49): motorola = false
        default: throw fail("no byte-order mark")
        }
        let reader = Numbers(data: data, motorola: motorola)
        guard try reader.number(2, 2) == 42 else { throw fail("not a classic TIFF") }
        var covered: [Range<Int>] = [0..<8]
        var next = try reader.number(4, 4)
        var seen: Set<Int> = []
        while next != 0 {
            guard seen.insert(next).inserted, seen.count <= 64 else { throw fail("the directory chain loops or is too long") }
            next = try checkDirectory(at: next, reader, covered: &covered)
        }
        guard !seen.isEmpty else { throw fail("no directory") }
        try checkOnlyPaddingUncovered(covered)
        try TIFFVerifierSignatures.check(data[...], format: .tiff)
        data = []
    }

    /// The verifier's own integer reads in the file's byte order.
    struct Numbers {
        let data: [UInt8]
        let motorola: Bool

        func number(_ at: Int, _ width: Int) throws(RedactionError) -> Int {
            guard at >= 0, at + width <= data.count else { throw .verificationFailed(.tiff, reason: "a field points past the end") }
            var value = 0
            for i in 0..<width { value |= Int(data[at + i]) << (8 * (motorola ? width - 1 - i : i)) }
            return value
        }
    }

    /// Checks one directory and the areas it references; returns the next directory's offset.
    private func checkDirectory(at ifd: Int, _ reader: Numbers, covered: inout [Range<Int>]) throws(RedactionError) -> Int {
        let count = try reader.number(ifd, 2)
        guard count > 0 else { throw fail("empty directory") }
        covered.append(ifd..<(ifd + 6 + 12 * count))
        let next = try reader.number(ifd + 2 + 12 * count, 4)
        let widths = [1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8]
        var previous = -1
        var arrays: [Int: [Int]] = [:]
        for i in 0..<count {
            let at = ifd + 2 + 12 * i
            let tag = try reader.number(at, 2), type = try reader.number(at + 2, 2), n = try reader.number(at + 4, 4)
            guard tag > previous else { throw fail("directory tags out of order") }
            previous = tag
            let allowed =
                Self.decodingTags.contains(tag) || (tag == 0x112 && options.keepOrientation)
                || (tag == 0x8773 && options.keepICCProfile)
            guard allowed else { throw fail("tag \(tag) is not a decoding tag") }
            guard type != 2, let width = widths[type] else { throw fail("tag \(tag) has a text or unknown type") }
            let (length, overflow) = n.multipliedReportingOverflow(by: width)
            guard !overflow, length <= data.count else { throw fail("tag \(tag) value too long") }
            let start = length > 4 ? try reader.number(at + 8, 4) : at + 8
            guard start + length <= data.count else { throw fail("tag \(tag) value past the end") }
            if length > 4 { covered.append(start..<(start + length)) }
            if tag == 0x8773 { try ICCOutputCheck.check(data[start..<(start + length)], format: .tiff) }
            if type == 3 || type == 4, n <= 1 << 20 {
                arrays[tag] = try (0..<n).map { k throws(RedactionError) in try reader.number(start + k * width, width) }
            } else if [0x111, 0x117, 0x144, 0x145].contains(tag) {
                throw fail("data offsets are not integers")
            }
        }
        let pairs = [(0x111, 0x117), (0x144, 0x145)].compactMap { o, c in arrays[o].flatMap { a in arrays[c].map { (a, $0) } } }
        guard pairs.count == 1, let (offsets, counts) = pairs.first, offsets.count == counts.count else {
            throw fail("no single set of strip or tile offsets")
        }
        for (offset, length) in zip(offsets, counts) {
            guard offset <= data.count, length <= data.count - offset else { throw fail("image data past the end") }
            covered.append(offset..<(offset + length))
        }
        try TIFFDecodability(values: arrays).check(counts: counts)
        return next
    }

    /// Every byte not referenced by the structure must be zero, and the file must not run on
    /// more than one padding byte past the last referenced area.
    private func checkOnlyPaddingUncovered(_ ranges: [Range<Int>]) throws(RedactionError) {
        var cursor = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > cursor {
                guard data[cursor..<range.lowerBound].allSatisfy({ $0 == 0 }) else {
                    throw fail("unreferenced bytes at \(cursor)")
                }
            }
            cursor = max(cursor, range.upperBound)
        }
        guard data.count <= cursor + 1, data[min(cursor, data.count)...].allSatisfy({ $0 == 0 }) else {
            throw fail("trailing bytes after the image data")
        }
    }
}
