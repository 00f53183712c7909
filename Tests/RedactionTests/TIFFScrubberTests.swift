import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// TIFF fixtures are made in the test run (ImageMagick + exiftool); the corpus TIFFs are used
/// when `../shared/corpus` is present.
@Suite("TIFF scrubbing")
struct TIFFScrubberTests {
    static let planted = [
        "-Make=TestMake", "-Model=TestModel", "-SerialNumber=SN123", "-Artist=Someone", "-Software=Editor",
        "-HostComputer=Box", "-Copyright=Me", "-ImageDescription=Desc", "-GPSLatitude=51.5", "-GPSLatitudeRef=N",
        "-DateTimeOriginal=2024:01:02 03:04:05", "-XMP-dc:Creator=Someone", "-IPTC:By-line=Someone", "-Orientation#=6",
    ]

    /// A tagged TIFF made with the given ImageMagick options.
    static func fixture(_ imageMagick: [String], in dir: URL, name: String = "in.tif") throws -> URL {
        let file = dir.appendingPathComponent(name)
        try FormatsSupport.must("convert", ["-size", "64x48", "gradient:red-blue"] + imageMagick + [file.path])
        try FormatsSupport.must("exiftool", ["-q", "-overwrite_original"] + planted + [file.path])
        return file
    }

    @Test(
        "Planted Exif, GPS, XMP and IPTC are gone, pixels and orientation unchanged",
        arguments: [
            ["-compress", "lzw"], ["-compress", "none", "-endian", "MSB"], ["-compress", "zip"],
            ["-compress", "jpeg"], ["-compress", "lzw", "-define", "tiff:tile-geometry=16x16"],
            ["-alpha", "set", "-compress", "rle"], ["-colorspace", "gray", "-depth", "8"],
        ])
    func removesPlantedMetadata(imageMagick: [String]) throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Self.fixture(imageMagick, in: dir)
        let before = try FormatsSupport.exif(input)
        #expect(
            before["IFD0:Make"] == "TestMake" && before["GPS:GPSLatitude"] != nil && before["IPTC:By-line"] != nil,
            "precondition: exiftool sees the planted metadata")

        let (clean, summary) = try FormatsDrive.scrub(TIFFScrubber.self, try FormatsSupport.read(input))
        try FormatsDrive.verify(TIFFVerifier.self, clean)
        let output = dir.appendingPathComponent("out.tif")
        try FormatsSupport.write(clean, output)
        let after = try FormatsSupport.exif(output)
        #expect(FormatsSupport.leaks(after) == [])
        #expect(after["IFD0:Orientation"] == "6")
        #expect(try FormatsSupport.samePixels(input, output))
        #expect(summary.removed.isSuperset(of: [.location, .device, .timestamps, .authorship, .comment, .editing]))
        #expect(summary.kept.contains(.orientation))
    }

    @Test("Every corpus TIFF scrubs, verifies, leaks nothing and keeps its pixels")
    func corpusFiles() throws {
        let files = FormatsSupport.corpusFiles("exif-samples/tiff", extensions: ["tif", "tiff"])
        guard !files.isEmpty else {
            print("corpus not found next to the repository; skipping the corpus TIFFs")
            return
        }
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in files {
            let (clean, _) = try FormatsDrive.scrub(TIFFScrubber.self, try FormatsSupport.read(file))
            try FormatsDrive.verify(TIFFVerifier.self, clean)
            let output = dir.appendingPathComponent(file.lastPathComponent)
            try FormatsSupport.write(clean, output)
            #expect(FormatsSupport.leaks(try FormatsSupport.exif(output)) == [], "\(file.lastPathComponent)")
            #expect(try FormatsSupport.samePixels(file, output), "\(file.lastPathComponent)")
        }
    }

    @Test("Without the orientation and ICC policy those tags are dropped too")
    func policyDropsOrientation() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = ScrubOptions(keepICCProfile: false, keepOrientation: false)
        let input = try FormatsSupport.read(try Self.fixture(["-compress", "lzw"], in: dir))
        let out = try FormatsDrive.scrubAndVerify(TIFFScrubber.self, TIFFVerifier.self, input, options: options)
        let output = dir.appendingPathComponent("out.tif")
        try FormatsSupport.write(out, output)
        #expect(try FormatsSupport.exif(output)["IFD0:Orientation"] == nil)
        // The default-policy verifier would accept it; the strict one rejects an output with orientation.
        let kept = try FormatsDrive.scrub(TIFFScrubber.self, input).bytes
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(TIFFVerifier.self, kept, options: options) }
    }

    @Test("Feeding one byte at a time gives the same output as one piece")
    func bytewiseFeedingMatches() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try Self.fixture(["-compress", "lzw"], in: dir))
        let whole = try FormatsDrive.scrub(TIFFScrubber.self, input, piece: input.count)
        let bytewise = try FormatsDrive.scrub(TIFFScrubber.self, input, piece: 1)
        #expect(whole.bytes == bytewise.bytes && whole.summary == bytewise.summary)
    }

    @Test(
        "BigTIFF files are refused with a reason, never passed through (multi-page files are kept: TIFFPagesTests)",
        arguments: [
            (["xc:red"], "TIFF64:")
        ])
    func refusedLayouts(images: [String], prefix: String) throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x.tif")
        try FormatsSupport.must("convert", ["-size", "8x8"] + images + [prefix + file.path])
        do {
            _ = try FormatsDrive.scrub(TIFFScrubber.self, try FormatsSupport.read(file))
            Issue.record("expected a refusal")
        } catch {
            guard case .unsupportedLayout(.tiff, let reason)? = error as? RedactionError else {
                Issue.record("got \(error)")
                return
            }
            #expect(!reason.isEmpty)
        }
    }

    @Test("The verifier rejects an unscrubbed TIFF and bytes appended after the image")
    func verifierRejectsLeaks() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try Self.fixture(["-compress", "lzw"], in: dir))
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(TIFFVerifier.self, input) }
        let clean = try FormatsDrive.scrub(TIFFScrubber.self, input).bytes
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(TIFFVerifier.self, clean + Array("trailer".utf8)) }
    }
}
