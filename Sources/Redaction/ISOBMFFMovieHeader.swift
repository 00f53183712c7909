/// The `moov` of a HEIF/AVIF image sequence, cleaned in place (issue 10, item 4): only the
/// boxes a sequence needs to play stay, each only under its usual parent; the creation and
/// modification times of `mvhd`, `tkhd` and `mdhd` (version 0 and 1) are zeroed; handler
/// names are zeroed (free text); `udta`, `meta`, `uuid` and every unknown box become zeroed
/// `free` boxes; a known box in the wrong place is refused, since the file is then not what
/// this code understands. Shares nothing with the Movie* scrubber on purpose.
extension ISOBMFFNeutraliser {
    /// Children allowed under each movie container.
    static let movieChildren: [String: Set<String>] = [
        "moov": ["mvhd", "trak", "mvex", "iods"],
        "trak": ["tkhd", "tref", "edts", "mdia", "trgr"],
        "edts": ["elst"],
        "mdia": ["mdhd", "hdlr", "minf", "elng"],
        "minf": ["vmhd", "smhd", "nmhd", "hmhd", "sthd", "dinf", "stbl"],
        "dinf": ["dref"],
        "stbl": [
            "stsd", "stts", "ctts", "cslg", "stss", "stsh", "stsc", "stsz", "stz2", "stco", "co64", "sdtp", "sgpd",
            "sbgp", "saiz", "saio", "subs",
        ],
        "mvex": ["mehd", "trex"],
    ]
    static let knownMovieBoxes: Set<String> = Set(movieChildren.keys).union(movieChildren.values.flatMap { $0 })

    mutating func scanMovie(_ box: ISOBMFFBox, depth: Int) throws(RedactionError) {
        guard depth < 8 else { throw .unsupportedLayout(.heif, reason: "movie boxes nested too deeply") }
        let parent = Self.name(box.type)
        let allowed = Self.movieChildren[parent] ?? []
        for child in try file.boxes(from: box.payload, to: box.end) {
            let type = Self.name(child.type)
            switch type {
            case "udta", "meta", "uuid":
                free(child, because: try udtaCategories(child))
            case "free", "skip":
                zeroed.append(child.payload..<child.end)
            case let t where allowed.contains(t):
                try keepMovieBox(child, type: t, depth: depth)
            case let t where Self.knownMovieBoxes.contains(t):
                throw .unsupportedLayout(.heif, reason: "movie box '\(t)' inside '\(parent)', where it does not belong")
            default:
                free(child, because: [.other])
            }
        }
    }

    /// Zeroes the times and handler names of a kept box; enters it when it is a container.
    mutating func keepMovieBox(_ child: ISOBMFFBox, type: String, depth: Int) throws(RedactionError) {
        switch type {
        case "mvhd", "tkhd", "mdhd":
            // version 0: two 32-bit times after version/flags; version 1: two 64-bit times.
            let width = try file.u8(child.payload) == 1 ? 8 : 4
            let times = (child.payload + 4)..<(child.payload + 4 + 2 * width)
            guard times.upperBound <= child.end else {
                throw .malformed(.heif, offset: child.start, reason: "'\(type)' too short for its times")
            }
            if !file.bytes[times].allSatisfy({ $0 == 0 }) { summary.removed.insert(.timestamps) }
            zeroed.append(times)
        case "hdlr":
            let name = min(child.payload + 24, child.end)..<child.end
            if !file.bytes[name].allSatisfy({ $0 == 0 }) { summary.removed.insert(.other) }
            zeroed.append(name)
        case let t where Self.movieChildren[t] != nil:
            try scanMovie(child, depth: depth + 1)
        default:
            break
        }
    }

    static func name(_ code: UInt32) -> String {
        let bytes = [UInt8(code >> 24), UInt8(code >> 16 & 0xFF), UInt8(code >> 8 & 0xFF), UInt8(code & 0xFF)]
        return bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? String(decoding: bytes, as: UTF8.self) : "?"
    }
}
