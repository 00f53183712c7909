import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// WebM and MKV from ffmpeg: tags, chapters, attachments, title, date, track names and the
/// subtitle track are gone from the bytes (and from exiftool's and ffprobe's view), the muxer
/// name is the constant, the decoded video and audio are frame-for-frame identical, the output
/// has the input's length, re-scrubs to itself, verifies, and does not depend on how the input
/// was cut into pieces.
@Suite struct WebMScrubberTests {
    let redactor = Redactor(policy: RedactionPolicy())

    /// Every promise for one fixture; returns the output.
    @discardableResult
    func checkClean(
        _ path: String, _ format: MediaFormat, _ scratch: Scratch,
        removed: Set<MetadataCategory> = [.authorship, .timestamps, .otherTracks, .editing, .comment],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [UInt8] {
        let input = try FormatsSupport.read(URL(fileURLWithPath: path))
        #expect(MP3OggFixtures.contains(input, WebMFixtures.canary), "the fixture carries canaries", sourceLocation: sourceLocation)
        let (output, report) = try redactor.redact(input)
        #expect(report.format == format, sourceLocation: sourceLocation)
        #expect(output.count == input.count, "removed elements are Voids of the same size", sourceLocation: sourceLocation)
        for needle in [WebMFixtures.canary] + WebMFixtures.writerNames {
            #expect(!MP3OggFixtures.contains(output, needle), "\(needle) survived", sourceLocation: sourceLocation)
        }
        #expect(MP3OggFixtures.contains(output, "Tipline"), sourceLocation: sourceLocation)
        #expect(Set(report.removed).isSuperset(of: removed), "\(report.removed)", sourceLocation: sourceLocation)
        #expect(Set(report.kept) == [.video, .audio], sourceLocation: sourceLocation)
        let out = try scratch.write("out-\(UUID().uuidString.prefix(6)).\(format == .mkv ? "mkv" : "webm")", output)
        let tags = try WebMFixtures.exiftool(out)
        #expect(!tags.contains("CANARY"), "\(tags)", sourceLocation: sourceLocation)
        for key in ["Title", "DateTimeOriginal", "Artist", "ChapterString", "AttachedFileName", "TrackName"] {
            #expect(!tags.contains(" \(key) "), "exiftool still sees \(key)", sourceLocation: sourceLocation)
        }
        #expect(try WebMFixtures.exiftool(path).contains(" Title "), "exiftool reads titles at all", sourceLocation: sourceLocation)
        #expect(try WebMFixtures.streamTypes(out) == ["video", "audio"], sourceLocation: sourceLocation)
        let frames = try WebMFixtures.frames(path)
        let lines = frames.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            lines.contains { $0.hasPrefix("0,") } && lines.contains { $0.hasPrefix("1,") }, "framemd5: \(frames.prefix(300))",
            sourceLocation: sourceLocation)
        #expect(try WebMFixtures.frames(out) == frames, "decoded frames changed", sourceLocation: sourceLocation)
        #expect(try WebMFixtures.decodeErrors(out) == "", sourceLocation: sourceLocation)
        let again = try redactor.redact(output)
        #expect(again.output == output, "a clean file re-scrubs to itself", sourceLocation: sourceLocation)
        #expect(again.report.removed.isEmpty, "\(again.report.removed)", sourceLocation: sourceLocation)
        for sizes in [[1], [7], [64 * 1024], [3, 1, 4096, 13]] {
            #expect(try redactInPieces(input, sizes: sizes).output == output, "pieces \(sizes)", sourceLocation: sourceLocation)
        }
        return output
    }

    @Test func vp9OpusWebMWithSubtitlesChaptersAndTags() throws {
        let scratch = try Scratch()
        let path = try WebMFixtures.vp9Opus(scratch)
        #expect(try WebMFixtures.streamTypes(path) == ["video", "audio", "subtitle"])
        try checkClean(path, .webm, scratch)
    }

    @Test func vp8VorbisMKVWithAttachmentSubtitlesChaptersAndTags() throws {
        let scratch = try Scratch()
        let path = try WebMFixtures.vp8VorbisMKV(scratch)
        #expect(try WebMFixtures.streamTypes(path) == ["video", "audio", "subtitle", "attachment"])
        let output = try checkClean(path, .mkv, scratch)
        // The Vorbis comment header inside CodecPrivate: vendor and ENCODER field blanked in place.
        let blank: [UInt8] = [3] + Array("vorbis".utf8) + [0, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(MP3OggFixtures.contains(output, String(decoding: blank, as: UTF8.self)))
        let report = try redactor.redact(try FormatsSupport.read(URL(fileURLWithPath: path))).report
        #expect(report.removed.contains(.other))  // the attachment
    }

    @Test func liveWebMWithUnknownSizesFromAPipe() throws {
        let scratch = try Scratch()
        let path = try WebMFixtures.live(scratch)
        let input = try FormatsSupport.read(URL(fileURLWithPath: path))
        let elements = WebMFixtures.elements(input)
        #expect(elements.first { $0.id == 0x1853_8067 }?.size == nil, "the Segment has an unknown size")
        #expect(elements.contains { $0.id == 0x1F43_B675 && $0.size == nil }, "a Cluster has an unknown size")
        #expect(!elements.contains { $0.id == 0x1C53_BB6B }, "no Cues")
        let output = try checkClean(path, .webm, scratch, removed: [.authorship, .timestamps, .editing, .comment])
        // Only removed elements changed: every surviving block is byte-identical at its offset.
        for e in WebMFixtures.elements(output) where e.id == 0xA3 {
            #expect(output[e.start..<e.end!] == input[e.start..<e.end!])
        }
    }

    @Test func removedElementsBecomeZeroedVoidsAtTheSameOffsets() throws {
        let scratch = try Scratch()
        let input = try FormatsSupport.read(URL(fileURLWithPath: try WebMFixtures.vp9Opus(scratch, seconds: "0.5")))
        let output = try redactor.redact(input).output
        let before = WebMFixtures.elements(input), after = WebMFixtures.elements(output)
        for id: UInt32 in [0x1254_C367, 0x1043_A770, 0x7BA9, 0x4461, 0x536E] {
            let e = try #require(before.first { $0.id == id }, "fixture has 0x\(String(id, radix: 16))")
            let void = try #require(after.first { $0.start == e.start }, "an element at \(e.start)")
            #expect(void.id == 0xEC && void.end == e.end, "0x\(String(id, radix: 16)) became \(void)")
            #expect(output[(void.start + void.headerLength)..<void.end!].allSatisfy { $0 == 0 })
        }
        // The subtitle track's entry and its block groups are Voids too; the Seek entries of removed elements as well.
        let subtitleBlocks = before.filter { $0.id == 0xA0 && input[$0.start + $0.headerLength + 2] == 0x83 }
        #expect(!subtitleBlocks.isEmpty)
        for e in subtitleBlocks { #expect(after.first { $0.start == e.start }?.id == 0xEC) }
        let seeks = after.filter { $0.id == 0x53AB }.map { Array(output[($0.start + $0.headerLength)..<$0.end!]) }
        #expect(Set(seeks) == [[0x15, 0x49, 0xA9, 0x66], [0x16, 0x54, 0xAE, 0x6B], [0x1C, 0x53, 0xBB, 0x6B]], "\(seeks)")
        let app = try #require(after.first { $0.id == 0x4D80 })
        #expect(Array(output[(app.start + app.headerLength)..<app.end!]) == Array("Tipline".utf8) + [0, 0, 0, 0, 0, 0])
        try FormatsDrive.verify(WebMVerifier.self, output)
    }

    @Test func h264InMKVIsRefusedWithTheReason() throws {
        let scratch = try Scratch()
        let input = try FormatsSupport.read(URL(fileURLWithPath: try WebMFixtures.h264MKV(scratch)))
        let error = refusal(input)
        #expect(error == .unsupportedLayout(.mkv, reason: "H.264 video in Matroska (its SEI user data cannot be removed in place)"))
        #expect(error?.description.contains("export it again from the phone's gallery") == true)
    }

    @Test func theSnifferTellsWebMFromMKVByDocType() throws {
        let scratch = try Scratch()
        let webm = try FormatsSupport.read(URL(fileURLWithPath: try WebMFixtures.live(scratch)))
        #expect(FormatSniffer.sniff(Array(webm.prefix(64))) == .format(.webm))
        #expect(FormatSniffer.sniff(Array(webm.prefix(20))) == .needMoreBytes)
        var other = Array(webm.prefix(64))
        let docType = try #require(WebMFixtures.first(0x4282, in: webm))
        other[docType.start + docType.headerLength] = UInt8(ascii: "x")
        #expect(FormatSniffer.sniff(other) == .unsupported)
    }
}
