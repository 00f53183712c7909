/// A bounded reader of a tipster's EXIF (TIFF-structured) block, written in Swift because C
/// EXIF parsers fed hostile bytes are a classic way into a server (DESIGN §6: libexif only
/// ever sees bytes Tipline wrote). It reads just enough to keep the picture upright, honour
/// the tipster's opt-ins, and name what was removed: every offset is bounds-checked, IFD
/// entry counts are capped, and only IFD0, its EXIF/GPS/Interop sub-IFDs and IFD1 are visited,
/// so there is no pointer chain to loop on.
struct ExifReader {
    struct Entry {
        let tag: UInt16
        let type: UInt16
        let count: Int
        /// The value's bytes, in the block's byte order.
        let value: ArraySlice<UInt8>
    }

    /// What the scrubber needs to know about a removed EXIF block.
    struct Findings {
        var orientation: UInt16?
        var removed: Set<MetadataCategory> = []
        var gpsEntries: [Entry] = []
        var dateTimeOriginal: ArraySlice<UInt8>?
        var bigEndian = true
    }

    static let maxEntriesPerIFD = 1024
    let tiff: [UInt8]
    let bigEndian: Bool

    init?(tiff: [UInt8]) {
        guard tiff.count >= 8 else { return nil }
        if tiff[0] == 0x4D, tiff[1] == 0x4D, tiff[2] == 0, tiff[3] == 0x2A {
            bigEndian = true
        } else if tiff[0] == 0x49, tiff[1] == 0x49, tiff[2] == 0x2A, tiff[3] == 0 {
            bigEndian = false
        } else {
            return nil
        }
        self.tiff = tiff
    }

    func u16(_ o: Int) -> UInt16? {
        guard o >= 0, o + 2 <= tiff.count else { return nil }
        return bigEndian ? UInt16(tiff[o]) << 8 | UInt16(tiff[o + 1]) : UInt16(tiff[o + 1]) << 8 | UInt16(tiff[o])
    }

    func u32(_ o: Int) -> UInt32? {
        guard let a = u16(o), let b = u16(o + 2) else { return nil }
        return bigEndian ? UInt32(a) << 16 | UInt32(b) : UInt32(b) << 16 | UInt32(a)
    }

    static func size(ofType type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11: 4
        case 5, 10, 12: 8
        default: nil
        }
    }

    /// The entries of the IFD at `offset` and the offset of the next IFD; nil if it does not fit.
    func ifd(at offset: Int) -> (entries: [Entry], next: Int)? {
        guard offset >= 8, let n = u16(offset), Int(n) <= Self.maxEntriesPerIFD else { return nil }
        var entries: [Entry] = []
        for i in 0..<Int(n) {
            let e = offset + 2 + 12 * i
            guard e + 12 <= tiff.count, let tag = u16(e), let type = u16(e + 2), let count = u32(e + 4) else {
                return nil
            }
            var value: ArraySlice<UInt8> = []
            if let unit = Self.size(ofType: type), Int(count) <= tiff.count {
                let size = unit * Int(count)
                if size <= 4 {
                    value = tiff[(e + 8)..<(e + 8 + size)]
                } else if let at = u32(e + 8), Int(at) + size <= tiff.count {
                    value = tiff[Int(at)..<(Int(at) + size)]
                }
            }
            entries.append(Entry(tag: tag, type: type, count: Int(count), value: value))
        }
        let next = u32(offset + 2 + 12 * Int(n)).map { Int($0) } ?? 0
        return (entries, next)
    }

    func pointer(_ entries: [Entry], _ tag: UInt16) -> Int? {
        guard let e = entries.first(where: { $0.tag == tag }), e.value.count == 4 else { return nil }
        let v = Array(e.value)
        return bigEndian
            ? Int(v[0]) << 24 | Int(v[1]) << 16 | Int(v[2]) << 8 | Int(v[3])
            : Int(v[3]) << 24 | Int(v[2]) << 16 | Int(v[1]) << 8 | Int(v[0])
    }

    /// Reads a block; an unreadable block still counts as removed metadata (`other`).
    static func findings(tiff: [UInt8]) -> Findings {
        var f = Findings()
        guard let r = ExifReader(tiff: tiff), let ifd0Offset = r.u32(4), let ifd0 = r.ifd(at: Int(ifd0Offset)) else {
            f.removed.insert(.other)
            return f
        }
        f.bigEndian = r.bigEndian
        classify(ifd0.entries, into: &f.removed)
        if let o = ifd0.entries.first(where: { $0.tag == 0x0112 && $0.type == 3 && $0.count == 1 }) {
            f.orientation = r.u16(o.value.startIndex)
        }
        if let at = r.pointer(ifd0.entries, 0x8769), let exif = r.ifd(at: at) {
            classify(exif.entries, into: &f.removed)
            if let d = exif.entries.first(where: { $0.tag == 0x9003 && $0.type == 2 && $0.count == 20 }), d.value.count == 20 {
                f.dateTimeOriginal = d.value
            }
            if r.pointer(exif.entries, 0xA005) != nil { f.removed.insert(.other) }
        }
        if let at = r.pointer(ifd0.entries, 0x8825) {
            f.removed.insert(.location)
            f.gpsEntries = r.ifd(at: at)?.entries ?? []
        }
        if ifd0.next != 0 { f.removed.insert(.thumbnail) }
        return f
    }

    /// Maps each tag to the category a tipster would recognise; anything unlisted is `other`.
    static func classify(_ entries: [Entry], into removed: inout Set<MetadataCategory>) {
        for e in entries {
            switch e.tag {
            case 0x8769, 0x8825, 0xA005: continue  // sub-IFD pointers, classified by their contents
            case 0x010F, 0x0110, 0x927C, 0xA420, 0xA431, 0xA433, 0xA434, 0xA435, 0xC4A5: removed.insert(.device)
            case 0x0132, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292: removed.insert(.timestamps)
            case 0x013B, 0x8298, 0xA430, 0x9C9D: removed.insert(.authorship)
            case 0x9286, 0x010E, 0x9C9C, 0x9C9B, 0x9C9E, 0x9C9F: removed.insert(.comment)
            case 0x0131, 0x02BC: removed.insert(.editing)
            case 0x83BB, 0x8649: removed.formUnion([.authorship, .editing])
            default: removed.insert(.other)
            }
        }
    }
}
