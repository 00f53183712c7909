import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// HEIC/HEIF tests over the real phone files in the corpus, plus a corpus file re-tagged by
/// exiftool with planted GPS, device, author and XMP fields.
@Suite("HEIF scrubbing")
struct ISOBMFFScrubberTests {
    static var corpusFiles: [URL] { FormatsSupport.corpusFiles("exif-samples/heic", extensions: ["heic", "heif", "avif"]) }

    /// Top-level (type, payload bytes) pairs: a tiny walker of the test's own, for byte comparison.
    static func topLevelBoxes(_ bytes: [UInt8]) -> [(String, ArraySlice<UInt8>)] {
        var boxes: [(String, ArraySlice<UInt8>)] = []
        var at = 0
        while at + 8 <= bytes.count {
            var size = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }, header = 8
            if size == 1 { size = bytes[(at + 8)..<(at + 16)].reduce(0) { $0 << 8 | Int($1) }; header = 16 }
            if size == 0 { size = bytes.count - at }
            guard size >= header, at + size <= bytes.count else { break }
            boxes.append((String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self), bytes[(at + header)..<(at + size)]))
            at += size
        }
        return boxes
    }

    /// Scrubs `file` and checks everything the issue asks for; returns the cleaned bytes.
    @discardableResult
    static func scrubAndCheck(_ file: URL, in dir: URL, options: ScrubOptions = ScrubOptions()) throws -> [UInt8] {
        let name = file.lastPathComponent
        let input = try FormatsSupport.read(file)
        #expect(!FormatsSupport.leaks(try FormatsSupport.exif(file)).isEmpty, "precondition: \(name) carries metadata")
        let (clean, summary) = try FormatsDrive.scrub(ISOBMFFScrubber.self, input, options: options)
        try FormatsDrive.verify(ISOBMFFVerifier.self, clean, options: options)
        let output = dir.appendingPathComponent("clean-" + name)
        try FormatsSupport.write(clean, output)
        #expect(FormatsSupport.leaks(try FormatsSupport.exif(output)) == [], "\(name)")
        #expect(clean.count == input.count, "\(name): size unchanged")
        let mdatIn = topLevelBoxes(input).filter { $0.0 == "mdat" }, mdatOut = topLevelBoxes(clean).filter { $0.0 == "mdat" }
        #expect(mdatIn.count == mdatOut.count && !mdatIn.isEmpty)
        // Inside the media data only metadata items change, and they change to zero: every
        // picture byte is identical.
        for (a, b) in zip(mdatIn, mdatOut) {
            #expect(a.1.count == b.1.count && zip(a.1, b.1).allSatisfy { $0 == $1 || $1 == 0 }, "\(name): mdat")
        }
        #expect(!summary.removed.isEmpty)
        return clean
    }

    @Test("Every corpus HEIC/HEIF scrubs, verifies, leaks nothing and keeps its picture bytes")
    func corpusFiles() throws {
        guard !Self.corpusFiles.isEmpty else {
            print("corpus not found next to the repository; skipping the corpus HEIC files")
            return
        }
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in Self.corpusFiles {
            try Self.scrubAndCheck(file, in: dir)
        }
    }

    @Test("Decoded pixels are identical for the corpus files under 1 MB (decoding the 12-16 MP ones takes ~10 s each)")
    func pixelsIdentical() throws {
        let small = Self.corpusFiles.filter { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? .max < 1_000_000 }
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in small {
            let clean = try FormatsDrive.scrub(ISOBMFFScrubber.self, try FormatsSupport.read(file)).bytes
            let output = dir.appendingPathComponent("p-" + file.lastPathComponent)
            try FormatsSupport.write(clean, output)
            #expect(try FormatsSupport.samePixels(file, output), "\(file.lastPathComponent)")
        }
    }

    @Test("GPS, device, author and XMP planted by exiftool are removed")
    func plantedMetadata() throws {
        guard let source = Self.corpusFiles.first(where: { $0.lastPathComponent == "samplefilehub.heif" }) else { return }
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("planted.heic")
        try FileManager.default.copyItem(at: source, to: file)
        try FormatsSupport.must(
            "exiftool",
            [
                "-q", "-overwrite_original", "-Make=TestMake", "-Model=TestModel",
                "-SerialNumber=SN123", "-Artist=Someone", "-GPSLatitude=51.5", "-GPSLatitudeRef=N",
                "-DateTimeOriginal=2024:01:02 03:04:05", "-XMP-dc:Creator=Someone", file.path,
            ])
        let before = try FormatsSupport.exif(file)
        #expect(before["IFD0:Make"] == "TestMake" && before["GPS:GPSLatitude"] != nil && before["XMP-dc:Creator"] != nil)
        try Self.scrubAndCheck(file, in: dir)
        let summary = try FormatsDrive.scrub(ISOBMFFScrubber.self, try FormatsSupport.read(file)).summary
        #expect(summary.removed.isSuperset(of: [.location, .device, .timestamps, .authorship]))
    }

    @Test("Orientation transforms survive and the ICC profile follows the policy")
    func orientationAndICC() throws {
        guard let source = Self.corpusFiles.first(where: { $0.lastPathComponent == "IMG_5195.HEIC" }) else { return }
        let input = try FormatsSupport.read(source)
        let kept = try FormatsDrive.scrub(ISOBMFFScrubber.self, input)
        #expect(kept.summary.kept == [.orientation, .colorProfile])
        let options = ScrubOptions(keepICCProfile: false)
        let dropped = try FormatsDrive.scrub(ISOBMFFScrubber.self, input, options: options)
        try FormatsDrive.verify(ISOBMFFVerifier.self, dropped.bytes, options: options)
        #expect(dropped.summary.kept == [.orientation])
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(ISOBMFFVerifier.self, kept.bytes, options: options) }
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("o.heic")
        try FormatsSupport.write(kept.bytes, output)
        #expect(try FormatsSupport.exif(output)["QuickTime:Rotation"] == FormatsSupport.exif(source)["QuickTime:Rotation"])
    }

    @Test("Feeding one byte at a time gives the same output as one piece")
    func bytewiseFeedingMatches() throws {
        guard let source = Self.corpusFiles.first(where: { $0.lastPathComponent == "samplefilehub.heif" }) else { return }
        let input = try FormatsSupport.read(source)
        let whole = try FormatsDrive.scrub(ISOBMFFScrubber.self, input, piece: input.count)
        let bytewise = try FormatsDrive.scrub(ISOBMFFScrubber.self, input, piece: 1)
        #expect(whole.bytes == bytewise.bytes && whole.summary == bytewise.summary)
    }

    @Test("The verifier rejects every unscrubbed corpus file")
    func verifierRejectsOriginals() throws {
        for file in Self.corpusFiles {
            #expect(throws: RedactionError.self) { try FormatsDrive.verify(ISOBMFFVerifier.self, try FormatsSupport.read(file)) }
        }
    }
}
