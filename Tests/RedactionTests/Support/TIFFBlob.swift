/// Test-only builder of EXIF (TIFF-structured) blocks with whatever a camera or phone plants:
/// make, model, serials, owner, dates, maker note, GPS, a thumbnail IFD. Written independently
/// of the production writer so fixtures do not share its assumptions.
struct TIFFBlob {
    struct Field {
        var tag: UInt16
        var type: UInt16
        var count: Int
        var value: [UInt8]
    }

    var littleEndian = true
    var ifd0: [Field] = []
    var exif: [Field] = []
    var gps: [Field] = []
    var ifd1: [Field] = []
    var thumbnail: [UInt8] = []

    func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
    func u32(_ v: Int) -> [UInt8] {
        let be = [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        return littleEndian ? be.reversed() : be
    }

    func ascii(_ tag: UInt16, _ s: String) -> Field {
        let b = Array(s.utf8) + [0]
        return Field(tag: tag, type: 2, count: b.count, value: b)
    }
    func short(_ tag: UInt16, _ v: UInt16) -> Field { Field(tag: tag, type: 3, count: 1, value: u16(v)) }
    func rationals(_ tag: UInt16, _ pairs: [(Int, Int)]) -> Field {
        Field(tag: tag, type: 5, count: pairs.count, value: pairs.flatMap { u32($0.0) + u32($0.1) })
    }
    func undefined(_ tag: UInt16, _ b: [UInt8]) -> Field { Field(tag: tag, type: 7, count: b.count, value: b) }

    /// Everything a phone photo typically carries, with canary values, and `orientation`.
    static func planted(orientation: UInt16 = 6, littleEndian: Bool = true, thumbnail: [UInt8] = []) -> TIFFBlob {
        var t = TIFFBlob(littleEndian: littleEndian)
        t.ifd0 = [
            t.ascii(0x010F, "CanaryCam"), t.ascii(0x0110, "CanaryModel-X1"), t.short(0x0112, orientation),
            t.ascii(0x0131, "Canary Editor 1.0"), t.ascii(0x0132, "2019:07:04 12:34:56"),
            t.ascii(0x013B, "Canary Artist"), t.ascii(0x8298, "Canary Copyright"),
        ]
        t.exif = [
            t.ascii(0x9003, "2019:07:04 12:34:56"), t.ascii(0x9004, "2019:07:04 12:34:56"),
            t.undefined(0x927C, Array("canary maker note, lens 42, serial 4242".utf8)),
            t.undefined(0x9286, Array("ASCII\0\0\0canary user comment".utf8)),
            t.ascii(0xA430, "CanaryOwner"), t.ascii(0xA431, "CANARY-SERIAL-4242"),
        ]
        t.gps = [
            Field(tag: 0x0000, type: 1, count: 4, value: [2, 3, 0, 0]),
            t.ascii(0x0001, "N"), t.rationals(0x0002, [(52, 1), (22, 1), (1234, 100)]),
            t.ascii(0x0003, "E"), t.rationals(0x0004, [(4, 1), (53, 1), (5678, 100)]),
        ]
        if !thumbnail.isEmpty {
            t.thumbnail = thumbnail
            t.ifd1 = [t.short(0x0103, 6)]
        }
        return t
    }

    /// The TIFF bytes: header, IFD0, EXIF IFD, GPS IFD, IFD1, each followed by its values.
    func bytes() -> [UInt8] {
        var out = (littleEndian ? [0x49, 0x49, 0x2A, 0x00] : [0x4D, 0x4D, 0x00, 0x2A]) + u32(8)
        var pending: [(at: Int, tag: UInt16)] = []  // pointer slots to patch
        func write(_ fields: [Field], next: Bool) -> Int? {
            let start = out.count
            let sorted = fields.sorted { $0.tag < $1.tag }
            var data: [UInt8] = []
            let dataBase = start + 2 + 12 * sorted.count + 4
            out += u16(UInt16(sorted.count))
            for f in sorted {
                out += u16(f.tag) + u16(f.type) + u32(f.count)
                if [0x8769, 0x8825, 0x0201].contains(f.tag) { pending.append((out.count, f.tag)) }
                if f.value.count <= 4 {
                    out += f.value + [UInt8](repeating: 0, count: 4 - f.value.count)
                } else {
                    out += u32(dataBase + data.count)
                    data += f.value
                    if data.count % 2 == 1 { data.append(0) }
                }
            }
            let nextSlot = out.count
            out += u32(0)
            out += data
            return next ? nextSlot : nil
        }
        var zero = ifd0
        if !exif.isEmpty { zero.append(Field(tag: 0x8769, type: 4, count: 1, value: u32(0))) }
        if !gps.isEmpty { zero.append(Field(tag: 0x8825, type: 4, count: 1, value: u32(0))) }
        let nextSlot = write(zero, next: true)!
        var offsets: [UInt16: Int] = [:]
        if !exif.isEmpty {
            offsets[0x8769] = out.count
            _ = write(exif, next: false)
        }
        if !gps.isEmpty {
            offsets[0x8825] = out.count
            _ = write(gps, next: false)
        }
        if !ifd1.isEmpty {
            out.replaceSubrange(nextSlot..<(nextSlot + 4), with: u32(out.count))
            var one = ifd1
            one.append(Field(tag: 0x0201, type: 4, count: 1, value: u32(0)))
            one.append(Field(tag: 0x0202, type: 4, count: 1, value: u32(thumbnail.count)))
            _ = write(one, next: false)
            offsets[0x0201] = out.count
            out += thumbnail
        }
        for p in pending {
            if let v = offsets[p.tag] { out.replaceSubrange(p.at..<(p.at + 4), with: u32(v)) }
        }
        return out
    }
}
