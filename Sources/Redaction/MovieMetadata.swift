import TiplinePolicy

/// Names, for the report, what a dropped box held: iPhone `mdta` keys, Android and QuickTime
/// `udta` atoms, XMP and C2PA `uuid` boxes. It only reads codes and key names, never values,
/// and it decides nothing: every box it is shown is dropped whatever it says.
enum MovieMetadata {
    static let location: [[UInt8]] = [[0xA9] + Array("xyz".utf8), Array("loci".utf8), Array("gps ".utf8), Array("location".utf8)]
    static let device: [[UInt8]] = [
        [0xA9] + Array("mak".utf8), [0xA9] + Array("mod".utf8), Array("make".utf8), Array("model".utf8), Array("manu".utf8),
        Array("modl".utf8), Array("camera".utf8), Array("serial".utf8),
    ]
    static let timestamps: [[UInt8]] = [[0xA9] + Array("day".utf8), Array("creationdate".utf8), Array("date".utf8)]
    static let editing: [[UInt8]] = [
        [0xA9] + Array("swr".utf8), [0xA9] + Array("too".utf8), [0xA9] + Array("enc".utf8), Array("software".utf8),
    ]
    static let authorship: [[UInt8]] = [
        [0xA9] + Array("nam".utf8), [0xA9] + Array("ART".utf8), [0xA9] + Array("aut".utf8), [0xA9] + Array("wrt".utf8),
        Array("auth".utf8), Array("cprt".utf8), Array("perf".utf8), Array("author".utf8),
    ]
    static let comment: [[UInt8]] = [[0xA9] + Array("cmt".utf8), [0xA9] + Array("des".utf8), Array("dscp".utf8)]
    static let picture: [[UInt8]] = [Array("covr".utf8)]
    static let transcript: [[UInt8]] = [Array("tsrp".utf8)]

    static func classify(_ r: MovieBoxReader, dropped b: MovieBox, into summary: inout ScrubSummary) {
        switch b.type {
        case FourCC("tref"), FourCC("iods"): return  // structure only
        case FourCC("free"), FourCC("skip"):
            if r.slice(b.payload..<b.end).contains(where: { $0 != 0 }) { summary.removed.insert(.other) }
            return
        default: break
        }
        let range = b.payload..<b.end
        let table: [(MetadataCategory, [[UInt8]])] = [
            (.location, location), (.device, device), (.timestamps, timestamps), (.editing, editing), (.authorship, authorship),
            (.comment, comment), (.thumbnail, picture), (.transcript, transcript),
        ]
        var found = false
        for (category, needles) in table where needles.contains(where: { XMPScan.contains(r.bytes[range], $0) }) {
            summary.removed.insert(category)
            found = true
        }
        if !found || b.type == FourCC("uuid") { summary.removed.insert(.other) }
    }
}
