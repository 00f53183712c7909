import TiplinePolicy

/// Independent re-read of a scrubbed HEIF/AVIF (no code shared with `ISOBMFFScrubber`).
/// Passes only when the boxes tile the whole file, only picture boxes remain at the top level,
/// no item of a metadata type (Exif, mime, uri) remains, every neutralised item is hidden with
/// its name and bytes zeroed, every `free`/`skip` box is zero-filled, a sequence's `moov` holds
/// only allowed boxes with zero times and handler names, no `udes` or (when dropped) ICC `colr` property remains, and no Exif or
/// XMP signature appears anywhere.
public struct ISOBMFFVerifier: WholeFileVerifier {
    public static let format = MediaFormat.heif
    private let options: ScrubOptions
    private(set) var data: [UInt8] = []

    public init(options: ScrubOptions) { self.options = options }

    public mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) {
        try data.appendHeldWhole(output, limit: options.maxFileBytes)
    }

    public mutating func verify(whole output: [UInt8]) throws(RedactionError) {
        data = output
        try finish()
    }

    func fail(_ reason: String) -> RedactionError { .verificationFailed(.heif, reason: reason) }

    func read(_ at: Int, _ n: Int) throws(RedactionError) -> Int {
        guard at >= 0, n <= 8, at + n <= data.count else { throw fail("a field lies past the end") }
        return data[at..<(at + n)].reduce(0) { $0 << 8 | Int($1) }
    }

    func name(_ at: Int) -> String { String(decoding: data[at..<(at + 4)], as: UTF8.self) }

    /// (type, body start, end) for each box in `start..<end`; they must tile the range exactly.
    func children(_ start: Int, _ end: Int) throws(RedactionError) -> [(String, Int, Int)] {
        var list: [(String, Int, Int)] = []
        var at = start
        while at < end {
            guard end - at >= 8 else { throw fail("stray bytes after the last box") }
            var size = try read(at, 4), body = at + 8
            if size == 1 { size = try read(at + 8, 8); body = at + 16 }
            if size == 0 { size = end - at }
            guard size >= body - at, size <= end - at else { throw fail("box size out of range") }
            list.append((name(at + 4), body, at + size))
            at += size
        }
        return list
    }

    private func zeroFilled(_ from: Int, _ to: Int) -> Bool { from >= to || data[from..<to].allSatisfy { $0 == 0 } }

    public mutating func finish() throws(RedactionError) {
        let top = try children(0, data.count)
        guard top.first?.0 == "ftyp" else { throw fail("no file-type box first") }
        var metas = 0
        for (type, body, end) in top {
            switch type {
            case "ftyp", "mdat": continue
            case "free", "skip": guard zeroFilled(body, end) else { throw fail("free box still holds data") }
            case "moov": try checkMovie(body, end, depth: 0)
            case "meta":
                metas += 1
                try checkMeta(body, end)
            default: throw fail("top-level box '\(type.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? type : "?")' left")
            }
        }
        guard metas == 1 else { throw fail("expected exactly one picture meta box") }
        try TIFFVerifierSignatures.check(data[...], format: .heif)
        data = []
    }

    /// Boxes allowed under each movie container of an image sequence (own list, not the scrubber's).
    private static let movieAllowed: [String: Set<String>] = [
        "moov": ["mvhd", "trak", "mvex", "iods"], "trak": ["tkhd", "tref", "edts", "mdia", "trgr"], "edts": ["elst"],
        "mdia": ["mdhd", "hdlr", "minf", "elng"], "minf": ["vmhd", "smhd", "nmhd", "hmhd", "sthd", "dinf", "stbl"],
        "dinf": ["dref"], "mvex": ["mehd", "trex"],
        "stbl": [
            "stsd", "stts", "ctts", "cslg", "stss", "stsh", "stsc", "stsz", "stz2", "stco", "co64", "sdtp", "sgpd",
            "sbgp", "saiz", "saio", "subs",
        ],
    ]

    /// Inside `moov`: only allowed boxes (or zero-filled `free`), zero creation and modification
    /// times in every `mvhd`/`tkhd`/`mdhd`, and zero-filled handler names.
    private func checkMovie(_ start: Int, _ end: Int, depth: Int, parent: String = "moov") throws(RedactionError) {
        guard depth < 10 else { throw fail("movie boxes nested too deeply") }
        for (type, body, boxEnd) in try children(start, end) {
            if ["free", "skip"].contains(type) {
                guard zeroFilled(body, boxEnd) else { throw fail("free box still holds data") }
                continue
            }
            guard Self.movieAllowed[parent]?.contains(type) == true else {
                throw fail("box not allowed inside the movie header's '\(parent)'")
            }
            switch type {
            case "mvhd", "tkhd", "mdhd":
                let timeBytes = try read(body, 1) == 1 ? 16 : 8
                guard body + 4 + timeBytes <= boxEnd else { throw fail("'\(type)' too short for its times") }
                guard zeroFilled(body + 4, body + 4 + timeBytes) else { throw fail("non-zero time in '\(type)'") }
            case "hdlr":
                guard zeroFilled(min(body + 24, boxEnd), boxEnd) else { throw fail("handler name left in the movie header") }
            default:
                if Self.movieAllowed[type] != nil { try checkMovie(body, boxEnd, depth: depth + 1, parent: type) }
            }
        }
    }

    private func checkMeta(_ start: Int, _ end: Int) throws(RedactionError) {
        let allowed: Set<String> = ["hdlr", "pitm", "iloc", "iinf", "iref", "iprp", "idat", "dinf", "grpl", "free", "skip"]
        var hidden: Set<Int> = []
        var idat: (Int, Int)?
        var iloc: (Int, Int)?
        var tables: [String: (Int, Int)] = [:]
        for (type, body, boxEnd) in try children(start + 4, end) {
            guard allowed.contains(type) else { throw fail("unexpected box in the picture meta") }
            tables[type] = (body, boxEnd)
            switch type {
            case "hdlr": guard try read(body + 8, 4) == 0x7069_6374 else { throw fail("meta handler is not 'pict'") }
            case "free", "skip": guard zeroFilled(body, boxEnd) else { throw fail("free box still holds data") }
            case "iinf": hidden = try checkItems(body, boxEnd)
            case "idat": idat = (body, boxEnd)
            case "iloc": iloc = (body, boxEnd)
            case "iprp":
                for (sub, subBody, subEnd) in try children(body, boxEnd) where sub == "ipco" {
                    for (property, propertyBody, propertyEnd) in try children(subBody, subEnd) {
                        if property == "udes" { throw fail("user description property left") }
                        guard property == "colr", propertyEnd - propertyBody >= 4,
                            ["prof", "rICC"].contains(name(propertyBody))
                        else { continue }
                        guard options.keepICCProfile else { throw fail("ICC profile left although the policy drops it") }
                        try ICCOutputCheck.check(data[(propertyBody + 4)..<propertyEnd], format: .heif)
                    }
                }
            default: continue
            }
        }
        if !hidden.isEmpty {
            guard let iloc else { throw fail("hidden items without locations") }
            try checkHiddenBytes(iloc.0, iloc.1, hidden: hidden, idat: idat)
        }
        try checkNoThumbnail(tables["iref"])
        try checkPrimaryDecodes(tables)
    }

    /// Returns the ids of neutralised items; fails on any metadata-typed or unknown item.
    private func checkItems(_ start: Int, _ end: Int) throws(RedactionError) -> Set<Int> {
        let image: Set<String> = ["hvc1", "av01", "grid", "iovl", "iden", "jpeg", "unci", "tmap", "mski", "vvc1", "avc1", "j2k1", "hvt1", "lhv1"]
        let wide = try read(start, 1) != 0
        var hidden: Set<Int> = []
        for (type, body, end) in try children(start + (wide ? 8 : 6), end) where type == "infe" {
            let version = try read(body, 1)
            guard version == 2 || version == 3 else { throw fail("old item entry version") }
            let idLength = version == 2 ? 2 : 4
            let id = try read(body + 4, idLength)
            let typeAt = body + 4 + idLength + 2
            _ = try read(typeAt, 4)
            let itemType = name(typeAt)
            if image.contains(itemType) { continue }
            guard itemType == "free", try read(body + 3, 1) & 1 == 1, zeroFilled(typeAt + 4, end) else {
                throw fail("metadata item left in the item list")
            }
            hidden.insert(id)
        }
        return hidden
    }

    /// Every byte a neutralised item points at must be zero.
    private func checkHiddenBytes(_ start: Int, _ end: Int, hidden: Set<Int>, idat: (Int, Int)?) throws(RedactionError) {
        let version = try read(start, 1)
        let a = try read(start + 4, 1), b = try read(start + 5, 1)
        let (offsetLength, lengthLength, baseLength, indexLength) = (a >> 4, a & 15, b >> 4, version > 0 ? b & 15 : 0)
        let idLength = version == 2 ? 4 : 2
        var at = start + 6
        let count = try read(at, idLength)
        at += idLength
        for _ in 0..<count {
            guard at < end else { throw fail("item locations overrun their box") }
            let id = try read(at, idLength)
            at += idLength
            var method = 0
            if version > 0 { method = try read(at, 2) & 15; at += 2 }
            at += 2
            let base = try read(at, baseLength)
            at += baseLength
            let extents = try read(at, 2)
            at += 2
            for _ in 0..<extents {
                at += indexLength
                let offset = try read(at, offsetLength), length = try read(at + offsetLength, lengthLength)
                at += offsetLength + lengthLength
                guard hidden.contains(id) else { continue }
                guard (0...data.count).contains(base), (0...data.count).contains(offset), (0...data.count).contains(length) else {
                    throw fail("a neutralised item points outside the file")
                }
                var from = base + offset
                if method == 1 {
                    guard let idat else { throw fail("hidden item in a missing idat") }
                    from += idat.0
                } else if method != 0 {
                    throw fail("hidden item built from other items")
                }
                let to = length == 0 ? (method == 1 ? idat?.1 ?? 0 : data.count) : from + length
                guard from <= to, to <= data.count, zeroFilled(from, to) else { throw fail("a neutralised item still holds data") }
            }
        }
    }
}
