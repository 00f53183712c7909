import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// WebP fixtures are made in the test run with ImageMagick and tagged with exiftool.
@Suite("WebP scrubbing")
struct WebPScrubberTests {
    static let planted = [
        "-Make=TestMake", "-Model=TestModel", "-SerialNumber=SN123", "-Artist=Someone",
        "-GPSLatitude=51.5", "-GPSLatitudeRef=N", "-GPSLongitude=0.12", "-GPSLongitudeRef=W",
        "-DateTimeOriginal=2024:01:02 03:04:05", "-XMP-dc:Creator=Someone", "-Orientation#=6",
    ]

    /// Makes a tagged WebP: `kind` is "lossy", "lossless", "alpha" or "animated".
    static func fixture(_ kind: String, in dir: URL) throws -> URL {
        let file = dir.appendingPathComponent("\(kind).webp")
        switch kind {
        case "lossless": try FormatsSupport.must("convert", ["-size", "64x48", "gradient:red-blue", "-define", "webp:lossless=true", file.path])
        case "alpha": try FormatsSupport.must("convert", ["-size", "64x48", "gradient:red-none", "-define", "webp:lossless=true", file.path])
        case "animated": try FormatsSupport.must("convert", ["-delay", "10", "-size", "32x32", "xc:red", "xc:blue", "-loop", "0", file.path])
        default: try FormatsSupport.must("convert", ["-size", "64x48", "gradient:red-blue", "-quality", "90", file.path])
        }
        try FormatsSupport.must("exiftool", ["-q", "-overwrite_original"] + planted + [file.path])
        return file
    }

    @Test("Planted EXIF, GPS and XMP are gone, pixels and orientation unchanged", arguments: ["lossy", "lossless", "alpha", "animated"])
    func removesPlantedMetadata(kind: String) throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Self.fixture(kind, in: dir)
        let before = try FormatsSupport.exif(input)
        #expect(
            before["GPS:GPSLatitude"] != nil && before["IFD0:Make"] == "TestMake" && before["XMP-dc:Creator"] != nil,
            "precondition: exiftool sees the planted metadata")

        let (clean, summary) = try FormatsDrive.scrub(WebPScrubber.self, try FormatsSupport.read(input))
        try FormatsDrive.verify(WebPVerifier.self, clean)
        let output = dir.appendingPathComponent("clean.webp")
        try FormatsSupport.write(clean, output)

        let after = try FormatsSupport.exif(output)
        #expect(FormatsSupport.leaks(after) == [])
        #expect(after["IFD0:Orientation"] == "6")
        #expect(try FormatsSupport.samePixels(input, output))
        #expect(summary.removed.isSuperset(of: [.location, .device, .timestamps, .authorship]))
        #expect(summary.kept.contains(.orientation))
        if kind == "animated" {
            #expect(summary.kept.contains(.animation))
            #expect(try FormatsSupport.frameCount(output) == 2)
        }
    }

    @Test("An ICC profile is kept with its flag, or dropped with its flag cleared, as the policy says")
    func iccFollowsPolicy() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tagged = try FormatsSupport.read(try Self.fixture("lossy", in: dir))
        // Insert an ICCP chunk right after VP8X (12 + 18 bytes) and fix the RIFF size.
        // A standard profile by content (issue 10, item 1): kept; a non-standard one is not.
        let standard = ICCFixture.standard()
        var input = Array(tagged[..<30]) + WebPHostileInputTests.chunk("ICCP", standard) + Array(tagged[30...])
        input.replaceSubrange(4..<8, with: withUnsafeBytes(of: UInt32(input.count - 8).littleEndian, Array.init))
        input[20] |= 0x20

        let kept = try FormatsDrive.scrub(WebPScrubber.self, input)
        try FormatsDrive.verify(WebPVerifier.self, kept.bytes)
        #expect(kept.summary.kept.contains(.colorProfile) && kept.bytes[20] & 0x20 != 0)
        #expect(ICCFixture.contains(kept.bytes, standard))

        let strict = ScrubOptions(keepICCProfile: false)
        let dropped = try FormatsDrive.scrub(WebPScrubber.self, input, options: strict)
        try FormatsDrive.verify(WebPVerifier.self, dropped.bytes, options: strict)
        #expect(!dropped.summary.kept.contains(.colorProfile) && dropped.bytes[20] & 0x20 == 0)
        #expect(!Self.contains(dropped.bytes, "ICCP"))
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(WebPVerifier.self, kept.bytes, options: strict) }
    }

    /// A minimal ICC profile: a 128-byte header starting with a marker, then a tag table.
    static func icc(tags: [String]) -> [UInt8] {
        var profile = Array("profile-bytes".utf8) + [UInt8](repeating: 0, count: 115)
        profile += [0, 0, 0, UInt8(tags.count)]
        for tag in tags { profile += Array(tag.utf8) + [0, 0, 0, 0, 0, 0, 0, 0] }
        return profile
    }

    @Test("A display-specific ICC profile (make and model, calibration) is dropped even when profiles are kept")
    func displayProfileDropped() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tagged = try FormatsSupport.read(try Self.fixture("lossy", in: dir))
        var input = Array(tagged[..<30]) + WebPHostileInputTests.chunk("ICCP", Self.icc(tags: ["desc", "mmod"])) + Array(tagged[30...])
        input.replaceSubrange(4..<8, with: withUnsafeBytes(of: UInt32(input.count - 8).littleEndian, Array.init))
        let (out, summary) = try FormatsDrive.scrub(WebPScrubber.self, input)
        try FormatsDrive.verify(WebPVerifier.self, out)
        #expect(summary.removed.contains(.device) && !summary.kept.contains(.colorProfile))
        #expect(!Self.contains(out, "profile-bytes") && out[20] & 0x20 == 0)
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(WebPVerifier.self, input) }
    }

    @Test("Feeding one byte at a time gives the same output as one piece")
    func bytewiseFeedingMatches() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try Self.fixture("animated", in: dir))
        let whole = try FormatsDrive.scrub(WebPScrubber.self, input, piece: input.count)
        let bytewise = try FormatsDrive.scrub(WebPScrubber.self, input, piece: 1)
        #expect(whole.bytes == bytewise.bytes && whole.summary == bytewise.summary)
    }

    @Test("Without the orientation policy no EXIF chunk is written and the flag is cleared")
    func orientationDroppedWhenPolicySaysSo() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = ScrubOptions(keepICCProfile: false, keepOrientation: false)
        let input = try FormatsSupport.read(try Self.fixture("lossy", in: dir))
        let out = try FormatsDrive.scrubAndVerify(WebPScrubber.self, WebPVerifier.self, input, options: options)
        #expect(out[20] & 0x0C == 0)
        #expect(!out.starts(with: [0]) && !Self.contains(out, "EXIF"))
        let le = Int(out[4]) | Int(out[5]) << 8 | Int(out[6]) << 16 | Int(out[7]) << 24
        #expect(le + 8 == out.count)
    }

    @Test("Trailing bytes after the RIFF container are dropped")
    func trailerDropped() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try Self.fixture("lossless", in: dir)) + Array("motion-photo-trailer".utf8)
        let (out, summary) = try FormatsDrive.scrub(WebPScrubber.self, input)
        try FormatsDrive.verify(WebPVerifier.self, out)
        #expect(summary.removed.contains(.trailer))
        #expect(!Self.contains(out, "motion-photo"))
    }

    @Test("The verifier rejects an unscrubbed file, an XMP flag and trailing bytes")
    func verifierRejectsLeaks() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try Self.fixture("lossy", in: dir))
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(WebPVerifier.self, input) }
        var clean = try FormatsDrive.scrub(WebPScrubber.self, input).bytes
        try FormatsDrive.verify(WebPVerifier.self, clean)
        clean[20] |= 0x04
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(WebPVerifier.self, clean) }
        clean[20] &= ~0x04
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(WebPVerifier.self, clean + [0, 0]) }
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
