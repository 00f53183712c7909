import TiplinePolicy

/// One entry of a classic-TIFF image file directory, with its value located and bounds-checked.
struct TIFFDirectoryEntry: Sendable {
    var tag: UInt16
    var type: UInt16
    var count: Int
    /// Where the value bytes start inside the TIFF stream (inline field or pointed-to area).
    var valueStart: Int
    /// Byte length of the value, or nil when the field type is unknown to TIFF 6.0.
    var valueLength: Int?
}

/// A bounded reader of classic (32-bit offset) TIFF structures, used by the TIFF scrubber and to
/// classify and read Exif blocks found inside WebP and HEIF files. Every read is bounds-checked
/// and every size computed with overflow checks, because the bytes come from strangers.
/// It never follows a chain on its own: callers decide which directories to visit.
struct TIFFDirectoryReader {
    let bytes: ArraySlice<UInt8>
    let bigEndian: Bool
    let format: MediaFormat
    /// Added to offsets in error messages so they point into the whole file.
    let baseOffset: Int

    /// Reads the 8-byte header; refuses BigTIFF (magic 43) as an unsupported layout.
    init(_ bytes: ArraySlice<UInt8>, format: MediaFormat, baseOffset: Int = 0) throws(RedactionError) {
        let s = bytes.startIndex
        guard bytes.count >= 8 else { throw .truncated(format, offset: baseOffset + bytes.count) }
        switch (bytes[s], bytes[s + 1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: throw .malformed(format, offset: baseOffset, reason: "no TIFF byte-order mark")
        }
        self.bytes = bytes
        self.format = format
        self.baseOffset = baseOffset
        let magic = try u16(2)
        if magic == 43 { throw .unsupportedLayout(format, reason: "BigTIFF (64-bit offsets)") }
        guard magic == 42 else { throw .malformed(format, offset: baseOffset + 2, reason: "TIFF magic number is not 42") }
    }

    var firstDirectoryOffset: Int { get throws(RedactionError) { Int(try u32(4)) } }

    func u16(_ at: Int) throws(RedactionError) -> UInt16 {
        guard at >= 0, at <= bytes.count - 2 else { throw .truncated(format, offset: baseOffset + bytes.count) }
        let a = UInt16(bytes[bytes.startIndex + at]), b = UInt16(bytes[bytes.startIndex + at + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func u32(_ at: Int) throws(RedactionError) -> UInt32 {
        let hi = UInt32(try u16(at)), lo = UInt32(try u16(at + 2))
        return bigEndian ? hi << 16 | lo : lo << 16 | hi
    }

    /// Bytes per value of each TIFF 6.0 field type (plus IFD = 13); nil for unknown types.
    static func typeSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11, 13: 4
        case 5, 10, 12: 8
        default: nil
        }
    }

    /// Reads the directory at `offset`: its entries (values bounds-checked) and the next offset.
    func directory(at offset: Int, maxEntries: Int = 4096) throws(RedactionError) -> (entries: [TIFFDirectoryEntry], next: Int) {
        guard offset >= 8, offset < bytes.count else {
            throw .malformed(format, offset: baseOffset + offset, reason: "directory offset outside the file")
        }
        let count = Int(try u16(offset))
        guard count > 0 else { throw .malformed(format, offset: baseOffset + offset, reason: "empty directory") }
        guard count <= maxEntries else {
            throw .malformed(format, offset: baseOffset + offset, reason: "directory claims \(count) entries")
        }
        var entries: [TIFFDirectoryEntry] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            let at = offset + 2 + 12 * i
            let tag = try u16(at), type = try u16(at + 2), count = Int(try u32(at + 4))
            var entry = TIFFDirectoryEntry(tag: tag, type: type, count: count, valueStart: at + 8, valueLength: nil)
            if let size = Self.typeSize(type) {
                let (length, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow, length <= bytes.count else {
                    throw .malformed(format, offset: baseOffset + at, reason: "tag value count overflows the file")
                }
                entry.valueLength = length
                if length > 4 {
                    let start = Int(try u32(at + 8))
                    guard start <= bytes.count - length else {
                        throw .malformed(format, offset: baseOffset + at, reason: "tag value lies beyond the end of the file")
                    }
                    entry.valueStart = start
                }
            }
            entries.append(entry)
        }
        let next = Int(try u32(offset + 2 + 12 * count))
        return (entries, next)
    }

    /// The unsigned integer values of a BYTE, SHORT, LONG or IFD entry.
    func integers(_ entry: TIFFDirectoryEntry) throws(RedactionError) -> [Int] {
        var values: [Int] = []
        // The count comes from the file: every value takes at least one of its bytes.
        values.reserveCapacity(min(entry.count, bytes.count))
        for i in 0..<entry.count {
            switch entry.type {
            case 1: values.append(Int(bytes[bytes.startIndex + entry.valueStart + i]))
            case 3: values.append(Int(try u16(entry.valueStart + 2 * i)))
            case 4, 13: values.append(Int(try u32(entry.valueStart + 4 * i)))
            default:
                throw .malformed(format, offset: baseOffset + entry.valueStart, reason: "tag \(entry.tag) is not an integer field")
            }
        }
        return values
    }

    /// The raw value bytes of an entry (in the file's byte order).
    func rawValue(_ entry: TIFFDirectoryEntry) -> ArraySlice<UInt8> {
        let start = bytes.startIndex + entry.valueStart
        return bytes[start..<(start + (entry.valueLength ?? 0))]
    }
}
