import Foundation

/// Builds test JPEGs: a real encoder (ImageMagick, jpegtran) makes the picture, then the
/// metadata a phone or editor plants is spliced in by hand, with canary values.
enum JPEGFixture {
    /// A clean JPEG from ImageMagick (`-strip`, so only JFIF + image segments), optionally
    /// progressive and/or with a restart marker after every MCU (jpegtran).
    static func base(
        in scratch: Scratch, size: String = "96x64", progressive: Bool = false, restart: Bool = false,
        name: String = UUID().uuidString
    ) throws -> [UInt8] {
        let path = scratch.path("base-\(name).jpg")
        var args = ["-size", size, "gradient:red-blue", "-fill", "yellow", "-draw", "circle 30,30 40,40", "-strip"]
        args += ["-quality", "90"]
        if progressive { args += ["-interlace", "JPEG"] }
        try Tools.run("convert", args + [path])
        if restart {
            let data = try Tools.run("jpegtran", ["-restart", "1B", path])
            return [UInt8](data)
        }
        return try scratch.read("base-\(name).jpg")
    }

    static func segment(_ marker: UInt8, _ body: [UInt8]) -> [UInt8] {
        let n = body.count + 2
        return [0xFF, marker, UInt8(n >> 8), UInt8(n & 0xFF)] + body
    }

    /// The base's image segments (everything after SOI and its APPn segments).
    static func imagePart(_ jpeg: [UInt8]) -> [UInt8] {
        var i = 2
        while jpeg[i] == 0xFF, (0xE0...0xEF).contains(jpeg[i + 1]) || jpeg[i + 1] == 0xFE {
            i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
        }
        return Array(jpeg[i...])
    }

    /// SOI, then `header` segments, then the base's image segments, then `trailer`.
    static func assemble(_ base: [UInt8], header: [[UInt8]], trailer: [UInt8] = []) -> [UInt8] {
        [0xFF, 0xD8] + header.flatMap { $0 } + imagePart(base) + trailer
    }

    static func exif(_ blob: TIFFBlob) -> [UInt8] { segment(0xE1, Array("Exif\0\0".utf8) + blob.bytes()) }

    static let jfifWithThumbnail: [UInt8] = segment(
        0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 2, 1] + [255, 0, 0, 0, 255, 0])
    static let jfif: [UInt8] = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
    static let jfxx: [UInt8] = segment(0xE0, Array("JFXX\0".utf8) + [0x10] + Array("canary-jfxx".utf8))

    static let xmpPacket = """
        <?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'>\
        <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description rdf:about='' \
        xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:exif='http://ns.adobe.com/exif/1.0/'>\
        <dc:creator><rdf:Seq><rdf:li>canary-xmp-creator</rdf:li></rdf:Seq></dc:creator>\
        <exif:GPSLatitude>52,22.2N</exif:GPSLatitude></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>
        """
    static let xmp = segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\0".utf8) + Array(xmpPacket.utf8))
    static let extendedXMP = segment(
        0xE1,
        Array("http://ns.adobe.com/xmp/extension/\0".utf8) + Array(repeating: 0x41, count: 32) + [0, 0, 0, 20, 0, 0, 0, 0]
            + Array("canary-xmp-creator!!".utf8))

    /// Photoshop IRB 0x0404 holding IPTC By-line (2:80).
    static let iptc: [UInt8] = {
        let byline = Array("canary-iptc-byline".utf8)
        let record: [UInt8] = [0x1C, 0x02, 0x50, 0, UInt8(byline.count)] + byline
        var irb = Array("8BIM".utf8) + [0x04, 0x04, 0, 0]
        irb += [0, 0, 0, UInt8(record.count)] + record
        if irb.count % 2 == 1 { irb.append(0) }
        return segment(0xED, Array("Photoshop 3.0\0".utf8) + irb)
    }()

    static let comment = segment(0xFE, Array("canary COM text".utf8))
    static let mpf = segment(0xE2, Array("MPF\0".utf8) + [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    static let adobe = segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, 1])
    static let otherApp = segment(0xEB, Array("canary-app-ext".utf8))

    /// A minimal ICC profile: header plus one white-point tag.
    static let iccProfile: [UInt8] = {
        var p = [UInt8](repeating: 0, count: 132)
        p[3] = 164
        p[131] = 1  // one tag: 'wtpt' at 144, 20 bytes
        p += Array("wtpt".utf8) + [0, 0, 0, 144, 0, 0, 0, 20]
        p += Array("XYZ ".utf8) + [0, 0, 0, 0] + [0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D]
        p.replaceSubrange(8..<12, with: [2, 0x10, 0, 0])
        p.replaceSubrange(12..<16, with: Array("mntr".utf8))
        p.replaceSubrange(16..<20, with: Array("RGB ".utf8))
        p.replaceSubrange(20..<24, with: Array("XYZ ".utf8))
        p.replaceSubrange(36..<40, with: Array("acsp".utf8))
        return p
    }()

    /// `iccProfile` split into `chunks` APP2 segments.
    static func icc(chunks: Int = 1) -> [[UInt8]] {
        let p = iccProfile
        let size = (p.count + chunks - 1) / chunks
        return (0..<chunks).map { i in
            let part = Array(p[(i * size)..<min(p.count, (i + 1) * size)])
            return segment(0xE2, Array("ICC_PROFILE\0".utf8) + [UInt8(i + 1), UInt8(chunks)] + part)
        }
    }

    /// A tiny real JPEG used as the EXIF IFD1 thumbnail.
    static func thumbnail(in scratch: Scratch) throws -> [UInt8] {
        try base(in: scratch, size: "8x8", name: "thumb")
    }

    /// Everything at once: JFIF with thumbnail, JFXX, EXIF (GPS, serials, maker note,
    /// thumbnail), XMP + extended XMP, IPTC, ICC, MPF, Adobe, an unknown APPn, COM, a trailer.
    static func planted(in scratch: Scratch, orientation: UInt16 = 6, progressive: Bool = false) throws -> [UInt8] {
        let base = try base(in: scratch, progressive: progressive)
        let blob = TIFFBlob.planted(orientation: orientation, thumbnail: try thumbnail(in: scratch))
        return assemble(
            base,
            header: [jfifWithThumbnail, jfxx, exif(blob), xmp, extendedXMP, iptc] + icc(chunks: 2)
                + [mpf, adobe, otherApp, comment],
            trailer: Array("canary-trailer: motion photo video would be here".utf8))
    }
}
