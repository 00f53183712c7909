import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// WAV and FLAC test files: made by ffmpeg in the test run (with planted canary tags) or built
/// by hand byte by byte, plus the oracles that judge an output: ffmpeg's decoded-audio MD5 and
/// decode errors, exiftool's tags against an allowlist of structural audio tags, and canaries.
enum WAVFLACFixtures {
    static let canaries = ["CANARY-ARTIST", "CANARY-COMMENT", "CANARY-ORIG", "CANARY-HIST", "CANARY-LOC", "2024-05-06", "Lavf"]
    static let tags = [
        "-metadata", "artist=CANARY-ARTIST", "-metadata", "date=2024-05-06", "-metadata", "comment=CANARY-COMMENT",
    ]

    /// A one-second sine wave with artist, date, comment (LIST/INFO) and, with `bext`, a bext chunk.
    static func wav(_ scratch: Scratch, name: String = "in.wav", bext: Bool = true, extra: [String] = []) throws -> String {
        let out = scratch.path(name)
        var args = ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1"] + tags
        if bext {
            args += ["-write_bext", "1", "-metadata", "originator=CANARY-ORIG", "-metadata", "time_reference=12345"]
            args += ["-metadata", "coding_history=CANARY-HIST"]
        }
        try FormatsSupport.must("ffmpeg", args + extra + [out])
        return out
    }

    /// A FLAC with Vorbis comments (incl. LOCATION), a PNG cover (PICTURE) and PADDING.
    static func flac(_ scratch: Scratch, name: String = "in.flac", seconds: String = "1", rate: String = "44100") throws -> String {
        let pic = scratch.path("cover.png")
        try FormatsSupport.must("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "color=red:size=16x16", "-frames:v", "1", pic])
        let out = scratch.path(name)
        try FormatsSupport.must(
            "ffmpeg",
            ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds):sample_rate=\(rate)", "-i", pic]
                + ["-map", "0", "-map", "1", "-c:v", "copy", "-disposition:v", "attached_pic"] + tags
                + ["-metadata", "LOCATION=CANARY-LOC", out])
        return out
    }

    /// ffmpeg's MD5 of the decoded audio samples, or nil when it cannot decode any.
    static func audioMD5(_ path: String) throws -> String? {
        let r = try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:a", "-f", "md5", "-"])
        return r.output.split(separator: "\n").first { $0.hasPrefix("MD5=") }.map(String.init)
    }

    /// What ffmpeg complains about while decoding the whole file (empty for a clean file).
    static func decodeComplaints(_ path: String) throws -> String {
        let r = try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        return r.status == 0 ? r.output : "exit \(r.status): \(r.output)"
    }

    static let allowedTags: Set<String> = [
        "ExifTool:ExifToolVersion", "File:FileType", "File:FileTypeExtension", "File:MIMEType", "Composite:Duration",
        "RIFF:Encoding", "RIFF:NumChannels", "RIFF:SampleRate", "RIFF:AvgBytesPerSec", "RIFF:BitsPerSample",
        "RIFF:RIFFSize64", "RIFF:DataSize64", "RIFF:NumberOfSamples64", "RIFF:NumberOfSamples",
        "FLAC:BlockSizeMin", "FLAC:BlockSizeMax", "FLAC:FrameSizeMin", "FLAC:FrameSizeMax", "FLAC:SampleRate",
        "FLAC:Channels", "FLAC:BitsPerSample", "FLAC:TotalSamples", "FLAC:MD5Signature", "FLAC:SeekTable",
    ]

    /// exiftool tags in the output that are not plain audio structure (warnings count too).
    static func leaks(_ path: String) throws -> [String] {
        try Tools.exiftool(path).keys.filter { !$0.hasPrefix("System:") && !allowedTags.contains($0) }.sorted()
    }

    /// Every check an accepted output must pass; returns what failed (empty = clean).
    static func judge(input: String, output: [UInt8], format: MediaFormat, scratch: Scratch, canaries: [String] = canaries) throws -> [String] {
        var problems: [String] = []
        let out = try scratch.write("judged-\(UUID().uuidString).\(format.rawValue)", output)
        let text = String(decoding: output, as: Unicode.ASCII.self)
        problems += canaries.filter { text.contains($0) }.map { "canary \($0) in output" }
        problems += try leaks(out).map { "exiftool: \($0)" }
        if let a = try audioMD5(input), a != (try audioMD5(out)) { problems.append("decoded audio changed") }
        let complaints = try decodeComplaints(out)
        if try !complaints.isEmpty && decodeComplaints(input).isEmpty { problems.append("ffmpeg: \(complaints)") }
        do throws(RedactionError) {
            if format == .wav { try FormatsDrive.verify(WAVVerifier.self, output) } else { try FormatsDrive.verify(FLACVerifier.self, output) }
            let again = try Redactor(policy: RedactionPolicy()).redact(output).output
            if again != output { problems.append("re-scrubbing changed the output") }
        } catch {
            problems.append("output refused: \(error)")
        }
        return problems
    }

    // MARK: Hand-made bytes

    static func le(_ v: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A RIFF chunk with its pad byte.
    static func chunk(_ id: String, _ body: [UInt8]) -> [UInt8] {
        Array(id.utf8) + le(body.count, 4) + body + (body.count & 1 == 1 ? [0] : [])
    }

    /// PCM, mono, 8 kHz, 16-bit.
    static let fmt: [UInt8] = le(1, 2) + le(1, 2) + le(8000, 4) + le(16000, 4) + le(2, 2) + le(16, 2)

    static func riff(_ chunks: [[UInt8]], magic: String = "RIFF", size: Int? = nil) -> [UInt8] {
        let body = Array("WAVE".utf8) + chunks.flatMap { $0 }
        return Array(magic.utf8) + le(size ?? body.count, 4) + body
    }

    static let samples: [UInt8] = (0..<200).map { UInt8(truncatingIfNeeded: $0 * 37) }
    static let info = chunk("LIST", Array("INFO".utf8) + chunk("IART", Array("CANARY-ARTIST\0".utf8)) + chunk("ICRD", Array("2024-05-06".utf8)))

    /// A FLAC metadata block header and body.
    static func block(_ type: UInt8, _ body: [UInt8], last: Bool = false) -> [UInt8] {
        [type | (last ? 0x80 : 0), UInt8(body.count >> 16 & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)] + body
    }

    /// The metadata blocks of a FLAC file as (type, body), and the offset where its frames start.
    static func flacBlocks(_ bytes: [UInt8]) -> (blocks: [(type: UInt8, body: [UInt8])], frames: Int) {
        var blocks: [(UInt8, [UInt8])] = []
        var at = 4
        while at + 4 <= bytes.count {
            let n = Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            blocks.append((bytes[at] & 0x7F, Array(bytes[(at + 4)..<min(bytes.count, at + 4 + n)])))
            let last = bytes[at] & 0x80 != 0
            at += 4 + n
            if last { break }
        }
        return (blocks, at)
    }

    /// Reassembles a FLAC from blocks (the last one flagged) and frame bytes.
    static func flacFile(_ blocks: [(type: UInt8, body: [UInt8])], frames: ArraySlice<UInt8>) -> [UInt8] {
        Array("fLaC".utf8) + blocks.enumerated().flatMap { block($1.type, $1.body, last: $0 == blocks.count - 1) } + frames
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
}
