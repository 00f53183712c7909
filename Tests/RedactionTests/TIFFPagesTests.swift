import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 10 item 3: a multi-page TIFF that decodes was refused; an old-style JPEG TIFF
/// (compression 6) was refused without saying why it cannot be cleaned.
@Suite("TIFF pages and old-style JPEG")
struct TIFFPagesTests {
    /// Three pages written by ImageMagick (deflate, and per-page description and page name),
    /// with an artist and a date planted by exiftool in the first.
    static func multiPage(_ scratch: Scratch, compress: String = "zip") throws -> String {
        let pages = [("gradient:red-blue", "p1"), ("gradient:green-yellow", "p2"), ("plasma:fractal", "p3")]
        for (source, name) in pages {
            try Tools.run("convert", ["-seed", "7", "-size", "40x30", source, scratch.path("\(name).png")])
        }
        let path = scratch.path("multi.tif")
        try Tools.run(
            "convert",
            pages.map { scratch.path("\($0.1).png") } + [
                "-compress", compress, "-set", "comment", "canary COM text", "-set", "label", "CanaryOwner", path,
            ])
        try Tools.run("exiftool", ["-q", "-overwrite_original", "-Artist=Canary Artist", "-ModifyDate=2019:07:04 12:34:56", path])
        return path
    }

    /// ImageMagick's decoded RGBA of one page (`convert x.tif[N] rgba:-`).
    static func pageHash(_ path: String, _ page: Int) throws -> Data {
        let rgba = try Tools.run("convert", ["\(path)[\(page)]", "-depth", "16", "rgba:-"])
        try #require(rgba.count == 40 * 30 * 8, "page \(page) decodes")
        return rgba
    }

    @Test("Every page is kept in order with identical pixels, and every page loses its metadata", arguments: ["zip", "none", "lzw"])
    func multiPageKeepsEveryPage(compress: String) throws {
        let scratch = try Scratch()
        let input = try Self.multiPage(scratch, compress: compress)
        let tagsIn = try Tools.exiftool(input)
        #expect(tagsIn["IFD0:Artist"] == "Canary Artist" && tagsIn["IFD2:ImageDescription"] == "canary COM text")

        let (clean, report) = try Redactor(policy: RedactionPolicy()).redact(try scratch.read("multi.tif"))
        let output = try scratch.write("clean.tif", clean)
        #expect(try FormatsSupport.frameCount(URL(fileURLWithPath: output)) == 3)
        for page in 0..<3 {
            let a = try Self.pageHash(input, page), b = try Self.pageHash(output, page)
            #expect(a == b, "page \(page) pixels")
        }
        let tags = try Tools.exiftool(output)
        for ifd in ["IFD0", "IFD1", "IFD2"] {
            #expect(tags["\(ifd):ImageWidth"] == "40", "\(ifd) is a page")
            for name in ["ImageDescription", "PageName", "Artist", "ModifyDate"] { #expect(tags["\(ifd):\(name)"] == nil, "\(ifd):\(name)") }
        }
        #expect(Oracle.canariesFound(in: clean) == [])
        #expect(Set(report.removed).isSuperset(of: [MetadataCategory.authorship, .timestamps, .comment]))
        #expect(try Redactor(policy: RedactionPolicy()).redact(clean).output == clean, "scrubbing again changes nothing")
    }

    @Test("A reduced-resolution page (a preview) is still dropped")
    func previewPageDropped() throws {
        let scratch = try Scratch()
        let input = try Self.multiPage(scratch)
        // Mark page 2 as reduced-resolution: NewSubfileType = 1.
        try Tools.run("exiftool", ["-q", "-overwrite_original", "-IFD1:SubfileType=1", "-n", input])
        let (clean, report) = try Redactor(policy: RedactionPolicy()).redact(try scratch.read("multi.tif"))
        let output = try scratch.write("clean.tif", clean)
        #expect(report.removed.contains(.thumbnail))
        #expect(try FormatsSupport.frameCount(URL(fileURLWithPath: output)) == 2)
        #expect(try Self.pageHash(output, 1) == Self.pageHash(input, 2))
    }

    /// A baseline JPEG by ImageMagick, wrapped as an old-style JPEG TIFF: Compression = 6, the
    /// strip and JPEGInterchangeFormat/Length (513/514) both pointing at the whole stream.
    static func oldStyleJPEG(_ scratch: Scratch) throws -> [UInt8] {
        try Tools.run("convert", ["-size", "16x8", "gradient:white-black", "-colorspace", "Gray", "-strip", scratch.path("g.jpg")])
        let jpeg = try scratch.read("g.jpg")
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        let fields: [(Int, Int, Int)] = [  // tag, type, value
            (256, 3, 16), (257, 3, 8), (258, 3, 8), (259, 3, 6), (262, 3, 1), (273, 4, -1), (277, 3, 1), (278, 3, 8),
            (279, 4, jpeg.count), (513, 4, -1), (514, 4, jpeg.count),
        ]
        let data = 8 + 2 + 12 * fields.count + 4
        var out: [UInt8] = [0x49, 0x49, 42, 0] + le32(8) + le16(fields.count)
        for (tag, type, value) in fields {
            let v = value < 0 ? data : value
            out += le16(tag) + le16(type) + le32(1) + (type == 3 ? le16(v) + [0, 0] : le32(v))
        }
        return out + le32(0) + jpeg
    }

    @Test("An old-style JPEG TIFF that ImageMagick decodes is refused with the reason")
    func oldStyleJPEGRefused() throws {
        let scratch = try Scratch()
        let input = try Self.oldStyleJPEG(scratch)
        let path = try scratch.write("ojpeg.tif", input)
        #expect(!(try Tools.pixelSignature(path)).isEmpty, "precondition: the fixture decodes")
        let error = refusal(input)
        #expect(
            error
                == .unsupportedLayout(
                    .tiff, reason: "old-style JPEG compression (6), whose picture is a separate JPEG stream that decoders each reassemble differently"
                ))
        #expect(error?.description.contains("convert it to PNG") == true)
    }
}
