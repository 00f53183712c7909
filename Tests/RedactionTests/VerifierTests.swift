import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// The verifiers are the last line: fed outputs that a buggy scrubber might produce, each
/// must refuse. They never see a tipster's file here, only crafted "outputs".
@Suite struct VerifierTests {
    static func verify<V: OutputVerifier>(_: V.Type, _ bytes: [UInt8], _ options: ScrubOptions = ScrubOptions()) -> RedactionError? {
        var v = V(options: options)
        do {
            try bytes.withRawBytes { (raw) throws(RedactionError) in try v.consume(raw) }
            try v.finish()
            return nil
        } catch {
            return error
        }
    }

    static func minimalExif(gps: Bool, date: Bool) -> [UInt8] {
        let planted = TIFFBlob.planted()
        let reader = ExifReader(tiff: planted.bytes())!
        let found = ExifReader.findings(tiff: reader.tiff)
        let (block, _) = MinimalExifWriter.build(
            orientation: 6, gps: gps ? found.gpsEntries : [], dateTimeOriginal: date ? found.dateTimeOriginal : nil,
            bigEndian: found.bigEndian)!
        return JPEGFixture.segment(0xE1, Array("Exif\0\0".utf8) + block)
    }

    @Test func jpegVerifierAcceptsTheCleanShapeAndRefusesEachLeak() throws {
        let scratch = try Scratch()
        let image = JPEGFixture.imagePart(try JPEGFixture.base(in: scratch))
        func jpeg(_ header: [[UInt8]], trailer: [UInt8] = []) -> [UInt8] { [0xFF, 0xD8] + header.flatMap { $0 } + image + trailer }
        let clean = jpeg([JPEGFixture.jfif, Self.minimalExif(gps: false, date: false), JPEGFixture.adobe] + JPEGFixture.icc())
        #expect(Self.verify(JPEGVerifier.self, clean) == nil)

        let leaks: [(String, [UInt8], ScrubOptions)] = [
            ("COM", jpeg([JPEGFixture.comment]), ScrubOptions()),
            ("XMP", jpeg([JPEGFixture.xmp]), ScrubOptions()),
            ("IPTC", jpeg([JPEGFixture.iptc]), ScrubOptions()),
            ("original EXIF", jpeg([JPEGFixture.exif(.planted())]), ScrubOptions()),
            ("two EXIF", jpeg([Self.minimalExif(gps: false, date: false), Self.minimalExif(gps: false, date: false)]), ScrubOptions()),
            ("GPS not opted in", jpeg([Self.minimalExif(gps: true, date: false)]), ScrubOptions()),
            ("date not opted in", jpeg([Self.minimalExif(gps: false, date: true)]), ScrubOptions()),
            ("JFIF thumbnail", jpeg([JPEGFixture.jfifWithThumbnail]), ScrubOptions()),
            ("JFXX", jpeg([JPEGFixture.jfxx]), ScrubOptions()),
            ("MPF", jpeg([JPEGFixture.mpf]), ScrubOptions()),
            ("ICC against policy", jpeg(JPEGFixture.icc()), ScrubOptions(keepICCProfile: false)),
            ("trailer", jpeg([], trailer: [0x41]), ScrubOptions()),
            ("no EOI", Array(jpeg([]).dropLast(2)), ScrubOptions()),
        ]
        for (name, bytes, options) in leaks {
            if case .verificationFailed(.jpeg, _)? = Self.verify(JPEGVerifier.self, bytes, options) {
            } else {
                Issue.record("JPEG verifier accepted \(name)")
            }
        }
        let optedIn = ScrubOptions(keepLocation: true, keepCaptureDate: true)
        #expect(Self.verify(JPEGVerifier.self, jpeg([Self.minimalExif(gps: true, date: true)]), optedIn) == nil)
    }

    @Test func pngVerifierRefusesTextExifTrailerAndBadCRC() throws {
        let scratch = try Scratch()
        let base = try PNGFixture.base(in: scratch)
        #expect(Self.verify(PNGVerifier.self, PNGFixture.assemble(base)) == nil)
        var badCRC = PNGFixture.assemble(base)
        badCRC[badCRC.count - 1] ^= 1
        let originalExif = PNGFixture.Chunk(type: "eXIf", data: TIFFBlob.planted().bytes())
        let cases: [(String, [UInt8])] = [
            ("tEXt", PNGFixture.assemble([base[0], PNGFixture.text] + base.dropFirst())),
            ("iTXt", PNGFixture.assemble([base[0], PNGFixture.itxt] + base.dropFirst())),
            ("tIME", PNGFixture.assemble([base[0], PNGFixture.time] + base.dropFirst())),
            ("original eXIf", PNGFixture.assemble([base[0], originalExif] + base.dropFirst())),
            ("trailer", PNGFixture.assemble(base, trailer: [0])),
            ("bad CRC", badCRC),
            ("no IEND", PNGFixture.assemble(Array(base.dropLast()))),
        ]
        for (name, bytes) in cases {
            if case .verificationFailed(.png, _)? = Self.verify(PNGVerifier.self, bytes) {
            } else {
                Issue.record("PNG verifier accepted \(name)")
            }
        }
    }

    @Test func gifVerifierRefusesCommentsApplicationExtensionsAndTrailer() throws {
        let scratch = try Scratch()
        let gif = try GIFFixture.base(in: scratch)
        #expect(Self.verify(GIFVerifier.self, gif) == nil)
        let at = GIFFixture.afterGlobalTable(gif)
        func with(_ ext: [UInt8]) -> [UInt8] {
            var g = gif
            g.insert(contentsOf: ext, at: at)
            return g
        }
        for (name, bytes) in [
            ("comment", with(GIFFixture.comment)), ("XMP", with(GIFFixture.xmp)), ("plain text", with(GIFFixture.plainText)),
            ("private app", with(GIFFixture.privateApp)), ("trailer", gif + [0x41]), ("no trailer", Array(gif.dropLast())),
        ] {
            if case .verificationFailed(.gif, _)? = Self.verify(GIFVerifier.self, bytes) {
            } else {
                Issue.record("GIF verifier accepted \(name)")
            }
        }
    }

    @Test func libexifAllowlistNamesTheOffendingTag() {
        let planted = Array("Exif\0\0".utf8) + TIFFBlob.planted().bytes()
        let why = ExifAllowlist.violation(exif: planted, options: ScrubOptions())
        #expect(why?.hasPrefix("EXIF tag 0x") == true)
        #expect(ExifAllowlist.violation(exif: Array("Exif\0\0garbage".utf8), options: ScrubOptions()) == "EXIF block unreadable")
    }
}
