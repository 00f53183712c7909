import TiplinePolicy

/// The verifiers' own reading of a kept ICC profile, written apart from `ICCProfileClassifier`
/// so one bug cannot pass both. It fails unless the profile is one of the standard colour spaces
/// docs/REDACTION.md allows: sane header, only colorimetric data tags, text tags whose every
/// readable string is a known standard text, and no non-zero byte outside the tags.
enum ICCOutputCheck {
    private static let textTags: Set<String> = ["desc", "cprt", "dmnd", "dmdd", "vued"]
    private static let colorimetric: Set<String> = [
        "wtpt", "bkpt", "lumi", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC", "kTRC", "chad", "chrm", "meas",
        "tech", "view", "cicp", "A2B0", "A2B1", "A2B2", "B2A0", "B2A1", "B2A2", "gamt",
    ]
    private static let dataTypes: Set<String> = [
        "XYZ ", "curv", "para", "sf32", "chrm", "meas", "sig ", "view", "cicp", "mft1", "mft2", "mAB ", "mBA ",
    ]
    private static let knownTexts: Set<String> = [
        "sRGB IEC61966-2.1", "sRGB IEC61966-2-1 black scaled", "sRGB IEC61966-2-1 no black scaling", "sRGB",
        "sRGB built-in", "Display P3", "Adobe RGB (1998)", "ProPhoto RGB", "ROMM RGB", "ROMM-RGB",
        "Generic Gray Gamma 2.2 Profile", "Gray Gamma 2.2", "Dot Gain 20%", "sGray",
        "IEC http://www.iec.ch", "IEC 61966-2.1 Default RGB colour space - sRGB",
        "Reference Viewing Condition in IEC61966-2.1",
        "Copyright (c) 0000 Hewlett-Packard Company", "Copyright Apple Inc., 0000",
        "Copyright 0000 Adobe Systems Incorporated", "Copyright (c) 0000 Adobe Systems Incorporated",
        "Copyright International Color Consortium, 0000", "Copyright 0000 Google Inc.",
        "Copyright (c) Eastman Kodak Company, 0000, all rights reserved.", "No copyright, use freely",
        "Public Domain", "CC0",
    ]

    static func check(_ profile: ArraySlice<UInt8>, format: MediaFormat) throws(RedactionError) {
        if let why = violation(Array(profile)) {
            throw .verificationFailed(format, reason: "kept colour profile \(why)")
        }
    }

    /// Why the profile is not an allowed standard one, or nil when it is.
    static func violation(_ b: [UInt8]) -> String? {
        func u32(_ i: Int) -> Int { i + 4 <= b.count ? Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) : -1 }
        func tag(_ i: Int) -> String { String(decoding: b[i..<(i + 4)], as: UTF8.self) }
        guard b.count >= 132, u32(0) == b.count, tag(36) == "acsp" else { return "has no valid header" }
        let n = u32(128)
        guard n >= 1, n <= 64, 132 + 12 * n <= b.count else { return "has a broken tag table" }
        for k in 0..<n where ["mmod", "vcgt", "ndin"].contains(tag(132 + 12 * k)) { return "identifies a specific display" }
        var used = [Bool](repeating: false, count: b.count)
        for i in 0..<(132 + 12 * n) { used[i] = true }
        for k in 0..<n {
            let e = 132 + 12 * k
            let name = tag(e), start = u32(e + 4), size = u32(e + 8)
            guard start >= 132 + 12 * n, size >= 8, start + size <= b.count else { return "has a tag outside the profile" }
            for i in start..<(start + size) { used[i] = true }
            if textTags.contains(name) {
                guard let strings = readableStrings(b[start..<(start + size)]), !strings.isEmpty else {
                    return "has an unreadable text tag"
                }
                for s in strings
                where !knownTexts.contains(s) && !knownTexts.contains(String(s.map { $0.isASCII && $0.isNumber ? "0" : $0 })) {
                    return "names something other than a standard colour space (\(name))"
                }
            } else if !colorimetric.contains(name) || !dataTypes.contains(tag(start)) {
                return "has a tag that is not colorimetric"
            }
        }
        for i in 0..<b.count where !used[i] && b[i] != 0 { return "hides bytes between its tags" }
        if !(b[52..<56].allSatisfy { $0 == 0 } || b[52..<56].allSatisfy { $0 >= 0x20 && $0 < 0x7F }) {
            return "carries a device model number"
        }
        return nil
    }

    /// Every run of readable text in a text tag, by a deliberately blunt reading: ASCII runs for
    /// `text`/`desc`, and for `mluc` each record decoded as UTF-16BE. A desc's ScriptCode copy
    /// repeats its ASCII text and is read as a run like any other. Nil for other tag types.
    private static func readableStrings(_ t: ArraySlice<UInt8>) -> [String]? {
        let d = Array(t)
        let type = String(decoding: d[0..<4], as: UTF8.self)
        switch type {
        case "text", "desc":
            // A desc's length and language fields can happen to be printable: blank them first
            // (ASCII length at 8, then after the text a language code, a Unicode length, a
            // ScriptCode code and its one-byte length), then read runs of printable bytes.
            var d = d
            var from = 8
            if type == "desc" {
                guard d.count >= 12 else { return nil }
                let n = Int(d[8]) << 24 | Int(d[9]) << 16 | Int(d[10]) << 8 | Int(d[11])
                guard n >= 0, 12 + n + 11 <= d.count else { return nil }
                for i in 8..<12 { d[i] = 0 }
                for i in (12 + n)..<(12 + n + 11) { d[i] = 0 }
                from = 12
            }
            var runs: [String] = []
            var current: [UInt8] = []
            for byte in d[from...] {
                if byte >= 0x20 && byte < 0x7F {
                    current.append(byte)
                } else {
                    if !current.isEmpty { runs.append(String(decoding: current, as: UTF8.self)) }
                    current = []
                }
            }
            if !current.isEmpty { runs.append(String(decoding: current, as: UTF8.self)) }
            return runs
        case "mluc":
            guard d.count >= 16 else { return nil }
            let count = Int(d[8]) << 24 | Int(d[9]) << 16 | Int(d[10]) << 8 | Int(d[11])
            guard count >= 1, count <= 32, 16 + 12 * count <= d.count else { return nil }
            var out: [String] = []
            for r in 0..<count {
                let at = 16 + 12 * r
                let length = Int(d[at + 4]) << 24 | Int(d[at + 5]) << 16 | Int(d[at + 6]) << 8 | Int(d[at + 7])
                let offset = Int(d[at + 8]) << 24 | Int(d[at + 9]) << 16 | Int(d[at + 10]) << 8 | Int(d[at + 11])
                guard length % 2 == 0, offset >= 0, offset + length <= d.count else { return nil }
                var units: [UInt16] = []
                for i in stride(from: offset, to: offset + length, by: 2) { units.append(UInt16(d[i]) << 8 | UInt16(d[i + 1])) }
                out.append(String(decoding: units, as: UTF16.self))
            }
            return out
        default:
            return nil
        }
    }
}
