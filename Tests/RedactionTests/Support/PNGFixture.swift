import Foundation

@testable import TiplineRedaction

/// Builds test PNGs: ImageMagick encodes the picture, then text, time, EXIF, physical size,
/// private chunks, APNG frames and a trailer are spliced in as real chunks with real CRCs.
enum PNGFixture {
    struct Chunk {
        var type: String
        var data: [UInt8]
        var bytes: [UInt8] {
            let n = data.count
            let td = Array(type.utf8) + data
            let c = CRC32.of(td)
            return [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + td
                + [UInt8(c >> 24), UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
        }
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// ImageMagick's PNG with its own text/time chunks excluded, split into chunks.
    static func base(in scratch: Scratch, extra: [String] = [], name: String = UUID().uuidString) throws -> [Chunk] {
        let path = scratch.path("base-\(name).png")
        try Tools.run(
            "convert",
            ["-size", "40x30", "gradient:red-blue", "-fill", "yellow", "-draw", "circle 10,10 15,15"] + extra
                + ["-define", "png:exclude-chunks=date,time", "-strip", path])
        return chunks(try scratch.read("base-\(name).png"))
    }

    static func chunks(_ png: [UInt8]) -> [Chunk] {
        var out: [Chunk] = []
        var i = 8
        while i + 12 <= png.count {
            let n = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
            guard i + 12 + n <= png.count else { break }
            out.append(Chunk(type: String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self), data: Array(png[(i + 8)..<(i + 8 + n)])))
            i += 12 + n
            if out.last?.type == "IEND" { break }
        }
        return out
    }

    static func assemble(_ chunks: [Chunk], trailer: [UInt8] = []) -> [UInt8] {
        signature + chunks.flatMap(\.bytes) + trailer
    }

    /// zlib stream holding `data` in one stored (uncompressed) deflate block.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        let n = data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for x in data {
            a = (a + UInt32(x)) % 65521
            b = (b + a) % 65521
        }
        let adler = b << 16 | a
        return [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8 & 0xFF)] + data
            + [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
    }

    static let text = Chunk(type: "tEXt", data: Array("Author\0canary-png-author".utf8))
    static let ztxt = Chunk(type: "zTXt", data: Array("Comment\0\0".utf8) + zlibStored(Array("canary-ztxt".utf8)))
    static let itxt = Chunk(
        type: "iTXt", data: Array("XML:com.adobe.xmp\0\0\0\0\0".utf8) + Array(JPEGFixture.xmpPacket.utf8) + Array("canary-itxt".utf8))
    static let time = Chunk(type: "tIME", data: [0x07, 0xE3, 7, 4, 12, 34, 56])
    static let phys = Chunk(type: "pHYs", data: [0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1])
    static let privateChunk = Chunk(type: "prVt", data: Array("canary-app-ext".utf8))
    static let iccp = Chunk(type: "iCCP", data: Array("icc\0\0".utf8) + zlibStored(JPEGFixture.iccProfile))

    static func exif(orientation: UInt16) -> Chunk {
        Chunk(type: "eXIf", data: TIFFBlob.planted(orientation: orientation, littleEndian: false).bytes())
    }

    /// Everything at once, ancillary chunks before and after IDAT, then a trailer.
    static func planted(in scratch: Scratch, orientation: UInt16 = 6) throws -> [UInt8] {
        var c = try base(in: scratch)
        c.insert(contentsOf: [text, ztxt, itxt, time, phys, privateChunk, exif(orientation: orientation)], at: 1)
        c.insert(Chunk(type: "tEXt", data: Array("Comment\0canary-png-author again".utf8)), at: c.count - 1)
        return assemble(c, trailer: Array("canary-trailer".utf8))
    }

    /// A two-frame APNG: the default image (IDAT) is frame 0, plus one fdAT frame.
    static func apng(in scratch: Scratch) throws -> [UInt8] {
        var c = try base(in: scratch)
        let ihdr = c[0].data
        let idat = c.filter { $0.type == "IDAT" }.flatMap(\.data)
        func fctl(_ seq: UInt32) -> Chunk {
            Chunk(type: "fcTL", data: be(seq) + Array(ihdr[0..<8]) + be(0) + be(0) + [0, 10, 0, 100, 0, 0])
        }
        c.removeAll { $0.type == "IDAT" }
        let end = c.removeLast()
        c.insert(Chunk(type: "acTL", data: be(2) + be(0)), at: 1)
        c += [fctl(0), Chunk(type: "IDAT", data: idat), fctl(1), Chunk(type: "fdAT", data: be(2) + idat), text, end]
        return assemble(c)
    }

    static func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}
