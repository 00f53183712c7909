import Foundation

/// Builds ICC profiles for the colour-profile tests: a calibrated display's profile the way
/// macOS writes one (make/model/serial in `mmod`, measured `vcgt`, a calibration date, the
/// display's name with a canary serial), and a synthetic standard one. Real standard profiles
/// come from the corpus through exiftool.
enum ICCFixture {
    static let serial = "C02XK7SERIAL"

    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// ICC v2 textDescriptionType with an empty Unicode and ScriptCode part.
    static func desc(_ text: String) -> [UInt8] {
        let ascii = Array(text.utf8) + [0]
        return Array("desc".utf8) + [0, 0, 0, 0] + be32(ascii.count) + ascii + [0, 0, 0, 0, 0, 0, 0, 0] + [0, 0, 0]
            + [UInt8](repeating: 0, count: 67)
    }
    static func text(_ t: String) -> [UInt8] { Array("text".utf8) + [0, 0, 0, 0] + Array(t.utf8) + [0] }
    static func xyz(_ x: Int, _ y: Int, _ z: Int) -> [UInt8] { Array("XYZ ".utf8) + [0, 0, 0, 0] + be32(x) + be32(y) + be32(z) }
    static func curve(entries: Int) -> [UInt8] {
        Array("curv".utf8) + [0, 0, 0, 0] + be32(entries) + (0..<entries).flatMap { be16($0 * 65535 / max(1, entries - 1)) }
    }

    /// Lays out a header (calibration date, Apple as maker, `model` in the header) and the tags.
    static func profile(_ tags: [(String, [UInt8])], model: [UInt8] = [0, 0, 0, 0]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 128)
        header.replaceSubrange(4..<8, with: Array("appl".utf8))
        header.replaceSubrange(8..<12, with: [2, 0x10, 0, 0])
        header.replaceSubrange(12..<24, with: Array("mntrRGB XYZ ".utf8))
        header.replaceSubrange(24..<36, with: [2024, 5, 6, 10, 11, 12].flatMap(be16))
        header.replaceSubrange(36..<40, with: Array("acsp".utf8))
        header.replaceSubrange(40..<44, with: Array("APPL".utf8))
        header.replaceSubrange(48..<52, with: Array("APPL".utf8))
        header.replaceSubrange(52..<56, with: model)
        header.replaceSubrange(68..<80, with: be32(0xF6D6) + be32(0x10000) + be32(0xD32D))
        header.replaceSubrange(80..<84, with: Array("appl".utf8))
        var table = be32(tags.count)
        var data: [UInt8] = []
        var at = 128 + 4 + 12 * tags.count
        for (signature, body) in tags {
            table += Array(signature.utf8) + be32(at) + be32(body.count)
            let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
            data += padded
            at += padded.count
        }
        var p = header + table + data
        p.replaceSubrange(0..<4, with: be32(p.count))
        return p
    }

    /// A display profile; `large` makes it need more than one JPEG APP2 segment (> 65519 bytes).
    static func display(large: Bool = false) -> [UInt8] {
        let mmod =
            Array("mmod".utf8) + [0, 0, 0, 0] + Array("APPL".utf8) + be32(0xAE2F) + be32(0x1234_5678) + be32(0x6638_0000)
            + [UInt8](repeating: 0, count: 16)
        let entries = large ? 12_000 : 256
        let vcgt =
            Array("vcgt".utf8) + [0, 0, 0, 0] + be32(0) + be16(3) + be16(entries) + be16(2)
            + (0..<(3 * entries)).flatMap { be16($0 * 7 % 65536) }
        return profile(
            [
                ("desc", desc("Studio Display \(serial)")), ("cprt", text("Copyright Apple Inc., 2024")),
                ("wtpt", xyz(0xF351, 0x10000, 0x116CC)), ("rXYZ", xyz(0x6FA2, 0x38F5, 0x0390)),
                ("gXYZ", xyz(0x6299, 0xB785, 0x18DA)), ("bXYZ", xyz(0x24A0, 0x0F84, 0xB6CF)),
                ("rTRC", curve(entries: 1)), ("mmod", mmod), ("vcgt", vcgt),
            ], model: [0, 0, 0xAE, 0x2F])
    }

    /// A standard-by-rule profile (lcms's built-in sRGB texts); `large` needs several APP2 parts.
    static func standard(large: Bool = false) -> [UInt8] {
        profile([
            ("desc", desc("sRGB built-in")), ("cprt", text("No copyright, use freely")),
            ("wtpt", xyz(0xF351, 0x10000, 0x116CC)), ("rXYZ", xyz(0x6FA2, 0x38F5, 0x0390)),
            ("gXYZ", xyz(0x6299, 0xB785, 0x18DA)), ("bXYZ", xyz(0x24A0, 0x0F84, 0xB6CF)),
            ("rTRC", curve(entries: large ? 40_000 : 1024)),
        ])
    }

    /// A profile from a corpus file, read by exiftool (nil when the corpus is absent).
    static func corpus(_ relative: String) throws -> [UInt8]? {
        guard Corpus.available else { return nil }
        return [UInt8](try Tools.run("exiftool", ["-b", "-ICC_Profile", Corpus.file(relative)]))
    }

    /// A picture ImageMagick makes and embeds `profile` into, the way an editor would.
    static func embedded(_ profile: [UInt8], ext: String, in scratch: Scratch) throws -> [UInt8] {
        let name = UUID().uuidString
        let icc = try scratch.write("\(name).icc", profile)
        let out = scratch.path("\(name).\(ext)")
        try Tools.run(
            "convert",
            ["-size", "40x30", "gradient:red-blue", "-profile", icc, "-define", "png:exclude-chunks=date,time", out])
        return try scratch.read("\(name).\(ext)")
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        return (0...(hay.count - needle.count)).contains { hay[$0] == needle[0] && hay[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
