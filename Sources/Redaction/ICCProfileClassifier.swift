/// Decides, for every scrubber, whether an embedded ICC colour profile is a known standard
/// colour space (kept when the policy keeps profiles) or anything else (dropped, reported as
/// `device`). A calibrated display profile names the screen's make, model and serial (`mmod`),
/// carries its measured gamma (`vcgt`, `ndin`) and the calibration date, and can single out the
/// tipster's machine; a standard profile is the same bytes on millions of machines.
///
/// The rule is by content, never by name alone (docs/REDACTION.md, "Colour profiles"):
/// the header is sane (`acsp`, declared size = byte count, device model zero or a four-letter
/// code), every tag is a colorimetric tag of the expected type, every text tag holds a text from
/// `ICCKnownTexts`, nothing else is hidden in a text tag, and no byte outside the header, tag
/// table and tag data is non-zero. Anything unreadable is not standard. The verifiers check
/// the same rule with their own code (`ICCOutputCheck`).
enum ICCProfileClassifier {
    /// Profiles larger than this are never kept: a standard RGB profile is a few KiB, and the
    /// scrubbers must buffer the whole profile to decide.
    static let maxProfileBytes = 4 << 20

    /// Colorimetric tags and the types they may have.
    static let dataTags: [String: Set<String>] = [
        "wtpt": ["XYZ "], "bkpt": ["XYZ "], "lumi": ["XYZ "],
        "rXYZ": ["XYZ "], "gXYZ": ["XYZ "], "bXYZ": ["XYZ "],
        "rTRC": ["curv", "para"], "gTRC": ["curv", "para"], "bTRC": ["curv", "para"], "kTRC": ["curv", "para"],
        "chad": ["sf32"], "chrm": ["chrm"], "meas": ["meas"], "tech": ["sig "], "view": ["view"], "cicp": ["cicp"],
        "A2B0": ["mft1", "mft2", "mAB "], "A2B1": ["mft1", "mft2", "mAB "], "A2B2": ["mft1", "mft2", "mAB "],
        "B2A0": ["mft1", "mft2", "mBA "], "B2A1": ["mft1", "mft2", "mBA "], "B2A2": ["mft1", "mft2", "mBA "],
        "gamt": ["mft1", "mft2", "mBA "],
    ]

    /// True when `profile` is a standard colour-space profile by the rule above.
    static func isStandard(_ profile: ArraySlice<UInt8>) -> Bool {
        let p = Array(profile)
        guard p.count >= 132, p.count <= maxProfileBytes, be32(p, 0) == p.count,
            p[36..<40].elementsEqual("acsp".utf8)
        else { return false }
        let model = p[52..<56]
        guard model.allSatisfy({ $0 == 0 }) || model.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
        guard let count = be32(p, 128), (1...64).contains(count), 132 + 12 * count <= p.count else { return false }
        var covered = [0..<(132 + 12 * count)]
        for k in 0..<count {
            let entry = 132 + 12 * k
            guard let offset = be32(p, entry + 4), let length = be32(p, entry + 8), length >= 8,
                offset >= 132 + 12 * count, offset <= p.count - length
            else { return false }
            let signature = fourCC(p, entry), type = fourCC(p, offset)
            let data = p[offset..<(offset + length)]
            if let texts = ICCKnownTexts.byTag[signature] {
                guard let found = text(of: data, type: type), found.allSatisfy({ texts.matches($0) }) else { return false }
            } else {
                guard dataTags[signature]?.contains(type) == true else { return false }
            }
            covered.append(offset..<(offset + length))
        }
        return uncoveredBytesAreZero(p, covered: covered)
    }

    /// The texts a text tag holds (one per language for `mluc`), or nil when the tag is not a
    /// well-formed text of a known type or hides other bytes.
    static func text(of data: ArraySlice<UInt8>, type: String) -> [String]? {
        let d = Array(data)
        switch type {
        case "text":
            let body = d[8...]
            guard let end = body.firstIndex(of: 0), body[end...].allSatisfy({ $0 == 0 }) else { return nil }
            return [String(decoding: body[..<end], as: UTF8.self)]
        case "desc":
            return descText(d)
        case "mluc":
            return mlucTexts(d)
        default:
            return nil
        }
    }

    /// ICC v2 textDescriptionType: ASCII part, an empty Unicode part, and a ScriptCode part that
    /// is empty or repeats the ASCII text; everything else zero.
    static func descText(_ d: [UInt8]) -> [String]? {
        guard let n = be32(d, 8), n >= 1, n <= d.count - 12 else { return nil }
        let ascii = d[12..<(12 + n)]
        guard ascii.last == 0, ascii.dropLast().allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        let unicodeAt = 12 + n
        guard let unicodeCount = be32(d, unicodeAt + 4), unicodeCount == 0 else { return nil }
        let scriptAt = unicodeAt + 8
        guard scriptAt + 3 + 67 <= d.count else { return nil }
        let scriptCount = Int(d[scriptAt + 2])
        let script = d[(scriptAt + 3)..<(scriptAt + 3 + 67)]
        guard scriptCount == 0 || (scriptCount == n && script.prefix(n).elementsEqual(ascii)) else { return nil }
        guard script.dropFirst(scriptCount).allSatisfy({ $0 == 0 }), d[(scriptAt + 3 + 67)...].allSatisfy({ $0 == 0 }) else {
            return nil
        }
        return [String(decoding: ascii.dropLast(), as: UTF8.self)]
    }

    /// ICC v4 multiLocalizedUnicodeType: every record's UTF-16BE text.
    static func mlucTexts(_ d: [UInt8]) -> [String]? {
        guard let records = be32(d, 8), (1...32).contains(records), be32(d, 12) == 12, 16 + 12 * records <= d.count else {
            return nil
        }
        var texts: [String] = []
        var covered = [0..<(16 + 12 * records)]
        for r in 0..<records {
            let at = 16 + 12 * r
            guard let length = be32(d, at + 4), let offset = be32(d, at + 8), length % 2 == 0,
                offset >= 16 + 12 * records, offset <= d.count - length
            else { return nil }
            let units = stride(from: offset, to: offset + length, by: 2).map { UInt16(d[$0]) << 8 | UInt16(d[$0 + 1]) }
            texts.append(String(decoding: units, as: UTF16.self))
            covered.append(offset..<(offset + length))
        }
        return uncoveredBytesAreZero(d, covered: covered) ? texts : nil
    }

    static func uncoveredBytesAreZero(_ bytes: [UInt8], covered: [Range<Int>]) -> Bool {
        var position = 0
        for range in covered.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > position, !bytes[position..<range.lowerBound].allSatisfy({ $0 == 0 }) { return false }
            position = max(position, range.upperBound)
        }
        return bytes[min(position, bytes.count)...].allSatisfy { $0 == 0 }
    }

    static func be32(_ bytes: [UInt8], _ at: Int) -> Int? {
        guard at >= 0, at <= bytes.count - 4 else { return nil }
        return (0..<4).reduce(0) { $0 << 8 | Int(bytes[at + $1]) }
    }

    static func fourCC(_ bytes: [UInt8], _ at: Int) -> String { String(decoding: bytes[at..<(at + 4)], as: UTF8.self) }
}
