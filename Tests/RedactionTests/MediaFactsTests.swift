import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 9: `tipvault show` names each attachment's size and length. The scrubbers read them
/// from the structure they keep; each figure here is checked against ffprobe's reading of the
/// same file, and a file that lies about them gets no figure rather than a wrong one.
@Suite struct MediaFactsTests {
    let redactor = Redactor(policy: RedactionPolicy())

    /// ffprobe's width, height (first video stream) and container duration in milliseconds.
    static func probe(_ path: String) throws -> (width: Int?, height: Int?, ms: Int) {
        let out = try FormatsSupport.run(
            "ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,width,height:format=duration", "-of", "default=nw=1", path])
        var width: Int?
        var height: Int?
        var seconds = 0.0
        for line in out.output.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "width": width = width ?? Int(kv[1])
            case "height": height = height ?? Int(kv[1])
            case "duration": seconds = Double(kv[1]) ?? 0
            default: break
            }
        }
        return (width, height, Int((seconds * 1000).rounded()))
    }

    @Test("WAV: the length from the data size and byte rate, to the millisecond")
    func wav() throws {
        let scratch = try Scratch()
        let path = try WAVFLACFixtures.wav(scratch)
        let facts = try #require(try redactor.redact(WAVFLACFixtures.read(path)).report.facts)
        #expect(facts == MediaFacts(durationMilliseconds: try Self.probe(path).ms))
        #expect(facts.durationMilliseconds == 1000)
    }

    @Test("FLAC: the length from STREAMINFO's sample count and rate")
    func flac() throws {
        let scratch = try Scratch()
        let path = try WAVFLACFixtures.flac(scratch, seconds: "2.5", rate: "48000")
        let report = try redactor.redact(WAVFLACFixtures.read(path)).report
        #expect(report.facts == MediaFacts(durationMilliseconds: 2500))
        #expect(try Self.probe(path).ms == 2500)
    }

    @Test("WebM and MKV: the kept video track's pixel size and the segment's duration")
    func matroska() throws {
        let scratch = try Scratch()
        for path in [try WebMFixtures.vp9Opus(scratch, seconds: "3"), try WebMFixtures.vp8VorbisMKV(scratch)] {
            let facts = try #require(try redactor.redact(WAVFLACFixtures.read(path)).report.facts, "\(path)")
            let probed = try Self.probe(path)
            #expect(facts.width == 64 && facts.height == 48, "\(path): \(facts)")
            #expect(facts.width == probed.width && facts.height == probed.height)
            let ms = try #require(facts.durationMilliseconds)
            #expect(abs(ms - probed.ms) <= 1, "\(path): \(ms) ms, ffprobe \(probed.ms) ms")
        }
    }

    @Test("MOV, MP4 and M4A: the video track's size from tkhd, the length from mvhd; a voice memo has no size")
    func movies() throws {
        let scratch = try Scratch()
        let dir = scratch.url
        let files = [
            try MovieFixtures.iPhoneMOV(in: dir), try MovieFixtures.androidHEVC(in: dir), try MovieFixtures.voiceMemo(in: dir),
        ]
        for url in files {
            let facts = try #require(try redactor.redact(WAVFLACFixtures.read(url.path)).report.facts, "\(url.lastPathComponent)")
            let probed = try Self.probe(url.path)
            #expect(facts.width == probed.width && facts.height == probed.height, "\(url.lastPathComponent): \(facts), ffprobe \(probed)")
            let ms = try #require(facts.durationMilliseconds)
            #expect(abs(ms - probed.ms) <= 50, "\(url.lastPathComponent): \(ms) ms, ffprobe \(probed.ms) ms")
        }
    }

    @Test("facts are left out rather than wrong: a zero byte rate, an absurd size, an overflowing count")
    func implausibleValuesAreDropped() {
        var f = MediaFacts()
        f.setDuration(units: 44_100, perSecond: 0)
        f.setDuration(units: UInt64.max / 10, perSecond: 1)
        f.setDuration(units: 100 * 86_400 + 1, perSecond: 1)
        f.setSize(width: 0, height: 480)
        f.setSize(width: 70_000, height: 480)
        #expect(f.isEmpty)
        f.setSize(width: 640, height: 480)
        f.setSize(width: 1920, height: 1080)  // a second video track does not replace the first
        f.setDuration(units: 3 * 48_000 + 24_000, perSecond: 48_000)
        #expect(f == MediaFacts(width: 640, height: 480, durationMilliseconds: 3500))
    }

    @Test("the report's JSON carries facts only where known, so photo reports are unchanged")
    func reportJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let photo = RedactionReport(format: .jpeg, bytesIn: 10, bytesOut: 9, removed: [], kept: [], facts: MediaFacts())
        #expect(
            String(decoding: try encoder.encode(photo), as: UTF8.self) == #"{"bytes_in":10,"bytes_out":9,"format":"jpeg","kept":[],"removed":[]}"#)
        let clip = RedactionReport(
            format: .webm, bytesIn: 10, bytesOut: 10, removed: [], kept: [.video],
            facts: MediaFacts(width: 64, height: 48, durationMilliseconds: 3000))
        #expect(
            String(decoding: try encoder.encode(clip), as: UTF8.self)
                == #"{"bytes_in":10,"bytes_out":10,"facts":{"duration_ms":3000,"height":48,"width":64},"format":"webm","kept":["video"],"removed":[]}"#
        )
    }
}
