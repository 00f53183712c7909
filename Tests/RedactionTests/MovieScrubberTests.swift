import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Phone-like videos and voice memos made with ffmpeg: after scrubbing no canary, no metadata
/// tag and no other track remains, every decoded frame and sample is unchanged, the rotation
/// is kept and the file plays.
@Suite struct MovieScrubberTests {
    let redactor = Redactor(policy: RedactionPolicy())

    func scrub(_ url: URL, into dir: URL) throws -> (URL, RedactionReport, [UInt8]) {
        let (output, report) = try redactor.redact(try FormatsSupport.read(url))
        let out = dir.appendingPathComponent("clean-" + url.lastPathComponent)
        try FormatsSupport.write(output, out)
        return (out, report, output)
    }

    /// What exiftool must not find in any output.
    func identifyingTags(_ file: URL) throws -> [String] {
        let tags = try FormatsSupport.exif(file)
        let banned = ["GPS", "Location", "Make", "Model", "Software", "Title", "Creator", "Artist", "Encoder", "TimeCode", "Comment"]
        var found: [String] = []
        for (key, value) in tags {
            let tag = key.split(separator: ":").last.map(String.init) ?? key
            if banned.contains(where: { tag.contains($0) }) { found.append(key) }
            if tag.hasSuffix("Date") && !key.hasPrefix("System:") && value != "0000:00:00 00:00:00" && value != "0" {
                found.append(key)
            }
        }
        return found.sorted()
    }

    @Test(arguments: [false, true]) func iPhoneMovieKeepsOnlyPictureAndSound(fastStart: Bool) throws {
        let dir = try FormatsSupport.tempDir()
        let input = try MovieFixtures.iPhoneMOV(in: dir, fastStart: fastStart)
        let original = try FormatsSupport.read(input)
        #expect(MovieFixtures.contains(original, "CANARY-SEI") && MovieFixtures.contains(original, "CANARY-MAKE"))
        #expect(try MovieFixtures.streamTypes(input) == ["video", "audio", "subtitle", "data"])
        let (out, report, bytes) = try scrub(input, into: dir)
        for canary in MovieFixtures.canaries { #expect(!MovieFixtures.contains(bytes, canary), "\(canary) survived") }
        #expect(try identifyingTags(out) == [])
        #expect(try MovieFixtures.streamTypes(out) == ["video", "audio"])
        #expect(try MovieFixtures.frameChecksums(out) == MovieFixtures.frameChecksums(input, streams: ["0:v", "0:a"]))
        #expect(try MovieFixtures.rotation(input) != "")
        #expect(try MovieFixtures.rotation(out) == MovieFixtures.rotation(input))
        #expect(try MovieFixtures.decodeErrors(out) == "")
        #expect(Set(report.removed).isSuperset(of: [.location, .device, .editing, .otherTracks, .timestamps, .other]))
        #expect(report.kept == [.orientation, .video, .audio].sorted())
        // Fast start: ftyp, then moov, then mdat.
        #expect(Array(bytes[4..<8]) == Array("ftyp".utf8))
        let ftypSize = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        #expect(Array(bytes[(ftypSize + 4)..<(ftypSize + 8)]) == Array("moov".utf8))
        // Scrubbing the output again changes nothing.
        #expect(try redactor.redact(bytes).output == bytes)
    }

    @Test func hevcLosesItsEncoderSEIAndXMPButNotAFrame() throws {
        let dir = try FormatsSupport.tempDir()
        let input = try MovieFixtures.androidHEVC(in: dir)
        let original = try FormatsSupport.read(input)
        #expect(MovieFixtures.contains(original, "x265 (build") && MovieFixtures.contains(original, "CANARY-XMP"))
        let (out, report, bytes) = try scrub(input, into: dir)
        for canary in MovieFixtures.canaries { #expect(!MovieFixtures.contains(bytes, canary), "\(canary) survived") }
        #expect(try identifyingTags(out) == [])
        #expect(try MovieFixtures.frameChecksums(out) == MovieFixtures.frameChecksums(input))
        #expect(try MovieFixtures.decodeErrors(out) == "")
        #expect(report.removed.contains(.location))
        #expect(try redactor.redact(bytes).output == bytes)
    }

    @Test func voiceMemoKeepsItsSamplesAndLosesItsName() throws {
        let dir = try FormatsSupport.tempDir()
        let input = try MovieFixtures.voiceMemo(in: dir)
        let (out, report, bytes) = try scrub(input, into: dir)
        #expect(!MovieFixtures.contains(bytes, "CANARY-TITLE") && !MovieFixtures.contains(bytes, "Lavf"))
        #expect(try identifyingTags(out) == [])
        #expect(try MovieFixtures.frameChecksums(out) == MovieFixtures.frameChecksums(input))
        #expect(report.kept == [.audio])
        #expect(Set(report.removed).isSuperset(of: [.authorship, .timestamps]))
    }

    @Test func threeGPLosesItsAssetLocationAndAuthor() throws {
        let dir = try FormatsSupport.tempDir()
        let input = dir.appendingPathComponent("clip.3gp")
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=176x144:rate=15:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
                "-c:v", "libx264", "-c:a", "aac", "-ar", "16000", "-metadata", "title=CANARY-TITLE", "-metadata", "author=CANARY-MAKE",
                "-metadata", "location=+48.8583+002.2945/", input.path,
            ])
        let original = try FormatsSupport.read(input)
        #expect(MovieFixtures.contains(original, "loci") && MovieFixtures.contains(original, "CANARY-MAKE"))
        let (out, report, bytes) = try scrub(input, into: dir)
        for needle in ["loci", "titl", "auth", "CANARY-TITLE", "CANARY-MAKE"] { #expect(!MovieFixtures.contains(bytes, needle), "\(needle)") }
        #expect(try MovieFixtures.frameChecksums(out) == MovieFixtures.frameChecksums(input))
        #expect(Set(report.removed).isSuperset(of: [.location, .authorship]))
    }

    @Test func anyPieceSizesGiveTheSameOutput() throws {
        let dir = try FormatsSupport.tempDir()
        let input = try FormatsSupport.read(try MovieFixtures.iPhoneMOV(in: dir))
        let whole = try redactor.redact(input).output
        #expect(try redactInPieces(input, sizes: [1]).output == whole)
        #expect(try redactInPieces(input, sizes: [7, 4096, 3, 65_536, 1]).output == whole)
    }

    @Test func fragmentedMoviesAreRefusedWithAReason() throws {
        let dir = try FormatsSupport.tempDir()
        let out = dir.appendingPathComponent("frag.mp4")
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-c:v", "libx264", "-movflags",
                "frag_keyframe+empty_moov", out.path,
            ])
        let error = refusal(try FormatsSupport.read(out))
        guard case .unsupportedLayout(.mp4, let reason) = error else {
            Issue.record("expected a layout refusal, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("fragmented"))
        #expect(error!.description.contains("export it again from the phone's gallery"))
    }

    /// Every movie and M4A in the shared corpus is scrubbed with identical decoded streams, or refused.
    @Test func corpusMoviesScrubOrAreRefused() throws {
        let files = ["media/mov", "media/mp4", "media/m4a"].flatMap {
            FormatsSupport.corpusFiles($0, extensions: ["mov", "mp4", "m4a", "m4b", "3gp"])
        }
        guard !files.isEmpty else {
            print("skipped: corpus not found")
            return
        }
        let dir = try FormatsSupport.tempDir()
        var scrubbed = 0, refused = 0, leaks = 0, changed = 0
        for file in files {
            do {
                let (out, _, _) = try scrub(file, into: dir)
                scrubbed += 1
                let kept = try MovieFixtures.streamTypes(out)
                let maps = (kept.contains("video") ? ["0:v:0"] : []) + (kept.contains("audio") ? ["0:a"] : [])
                if try MovieFixtures.frameChecksums(out, streams: maps) != MovieFixtures.frameChecksums(file, streams: maps) {
                    changed += 1
                    Issue.record("decoded content changed: \(file.lastPathComponent)")
                }
                let tags = try identifyingTags(out)
                if !tags.isEmpty {
                    leaks += 1
                    Issue.record("\(file.lastPathComponent) kept \(tags)")
                }
            } catch let error as RedactionError {
                refused += 1
                print("refused \(file.lastPathComponent): \(error)")
            }
        }
        print("corpus mp4: files \(files.count), scrubbed \(scrubbed), refused \(refused), leaks \(leaks), decode changes \(changed)")
        #expect(scrubbed >= 4)
        #expect(leaks == 0 && changed == 0)
    }
}
