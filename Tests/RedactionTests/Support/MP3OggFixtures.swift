import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// MP3 and Ogg fixtures made during the test run with ffmpeg, plus hand-built tags (APEv2,
/// Lyrics3 v2, an appended ID3v2.4 tag with a footer) that ffmpeg does not write.
enum MP3OggFixtures {
    static let canaries = ["CANARY-ARTIST", "CANARY-COMMENT", "CANARY-TITLE", "CANARY-APE", "CANARY-LYRICS", "CANARY-ID3END"]

    static func ffmpeg(_ args: [String]) throws {
        try FormatsSupport.must("ffmpeg", ["-v", "error", "-y"] + args)
    }

    /// Decoded-audio MD5 as ffmpeg reports it ("MD5=…"), or the error text.
    static func audioMD5(_ path: String) throws -> String {
        let text = try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:a", "-f", "md5", "-"]).output
        return text.split(separator: "\n").first { $0.hasPrefix("MD5=") }.map(String.init) ?? text
    }

    /// What ffmpeg complains about while decoding the whole file (empty when clean).
    static func decodeErrors(_ path: String) throws -> String {
        try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"]).output
    }

    /// A LAME-encoded MP3 with ID3v2.3 (text frames and an APIC), a Xing/Info + LAME frame and ID3v1.
    static func ffmpegMP3(_ scratch: Scratch, seconds: String = "2", rate: String = "44100", name: String = "ref.mp3") throws -> String {
        let pic = scratch.path("pic.png")
        try ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", pic])
        let out = scratch.path(name)
        try ffmpeg([
            "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds):sample_rate=\(rate)", "-i", pic, "-map", "0", "-map", "1",
            "-c:a", "libmp3lame", "-c:v", "copy", "-id3v2_version", "3", "-write_id3v1", "1",
            "-metadata", "artist=CANARY-ARTIST", "-metadata", "comment=CANARY-COMMENT", "-metadata", "title=CANARY-TITLE",
            "-metadata", "date=2024", out,
        ])
        return out
    }

    /// `mp3` with, before its ID3v1 tail, an appended ID3v2.4 tag with footer, an APEv2 tag
    /// (header and footer) and a Lyrics3 v2 block: every kind of tag the scrubber must skip.
    static func withTailTags(_ mp3: [UInt8]) -> [UInt8] {
        var body = mp3
        var v1: [UInt8] = []
        if body.count >= 128, body[(body.count - 128)..<(body.count - 125)].elementsEqual("TAG".utf8) {
            v1 = Array(body.suffix(128))
            body.removeLast(128)
        }
        return body + id3v24WithFooter() + apev2() + lyrics3v2() + v1
    }

    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func syncsafe(_ v: Int) -> [UInt8] { [21, 14, 7, 0].map { UInt8((v >> $0) & 0x7F) } }

    static func id3v24WithFooter() -> [UInt8] {
        let text: [UInt8] = [3] + Array("CANARY-ID3END".utf8)
        let frame = Array("TPE1".utf8) + syncsafe(text.count) + [0, 0] + text
        return Array("ID3".utf8) + [4, 0, 0x10] + syncsafe(frame.count) + frame + Array("3DI".utf8) + [4, 0, 0x10] + syncsafe(frame.count)
    }

    static func apev2() -> [UInt8] {
        let value = Array("CANARY-APE".utf8)
        let item = le32(value.count) + le32(0) + Array("Artist".utf8) + [0] + value
        let size = item.count + 32
        func block(_ isHeader: Bool) -> [UInt8] {
            Array("APETAGEX".utf8) + le32(2000) + le32(size) + le32(1) + le32(isHeader ? 0xA000_0000 : 0x8000_0000) + [UInt8](repeating: 0, count: 8)
        }
        return block(true) + item + block(false)
    }

    static func lyrics3v2() -> [UInt8] {
        let lyr = Array("CANARY-LYRICS".utf8)
        let field = Array("LYR".utf8) + Array(String(format: "%05d", lyr.count).utf8) + lyr
        let content = Array("LYRICSBEGIN".utf8) + Array("IND00003110".utf8) + field
        return content + Array(String(format: "%06d", content.count).utf8) + Array("LYRICS200".utf8)
    }

    /// An Ogg file of `codec` (libopus or libvorbis) with comments; `bigComment` bytes of
    /// padding in one field push the comment header across several pages.
    static func ffmpegOgg(_ scratch: Scratch, codec: String, bigComment: Int = 0, name: String) throws -> String {
        let out = scratch.path(name)
        var args = [
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", codec,
            "-metadata", "artist=CANARY-ARTIST", "-metadata", "comment=CANARY-COMMENT", "-metadata", "title=CANARY-TITLE",
            "-metadata", "date=2024", "-metadata", "LOCATION=CANARY-LOCATION",
            "-metadata", "METADATA_BLOCK_PICTURE=Q0FOQVJZLVBJQ1RVUkU=",
        ]
        if bigComment > 0 { args += ["-metadata", "description=CANARY-BIG" + String(repeating: "x", count: bigComment)] }
        try ffmpeg(args + [out])
        return out
    }

    /// Frames of a scrubbed MP3 (for verifier tests): the scrubber's own output.
    static func cleanMP3(_ scratch: Scratch) throws -> [UInt8] {
        let input = try FormatsSupport.read(URL(fileURLWithPath: try ffmpegMP3(scratch, seconds: "0.3")))
        return try Redactor(policy: RedactionPolicy()).redact(input).output
    }

    /// Does `needle` occur in `haystack`?
    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard n.count <= haystack.count else { return false }
        return (0...(haystack.count - n.count)).contains { i in haystack[i] == n[0] && haystack[i..<(i + n.count)].elementsEqual(n) }
    }
}

/// The corpus sweep for one audio folder: every file is scrubbed through the full session
/// (so the leading-ID3 drop applies) and then checked by exiftool, by searching the output for
/// the input's tag values, and by ffmpeg's decoded-audio MD5; or it is refused with a typed error.
enum AudioCorpusSweep {
    struct Tally: CustomStringConvertible {
        var files = 0, scrubbed = 0, refused = 0, leaks = 0, decodeChanges = 0, undecodableInputs = 0, tailNoise = 0
        var refusals: [String] = []
        var description: String {
            "files \(files), scrubbed \(scrubbed), refused \(refused), leaks \(leaks), decode changes \(decodeChanges) "
                + "(not counted: \(undecodableInputs) inputs ffmpeg cannot decode, \(tailNoise) whose trailing tags ffmpeg decodes as noise)"
        }
    }

    /// Keys exiftool may still report: structure, never a tag.
    static let structural: Set<String> = [
        "VorbisVersion", "AudioChannels", "SampleRate", "NominalBitrate", "MaximumBitrate", "MinimumBitrate", "OpusVersion",
        "OutputGain",
    ]

    static func leaks(_ tags: [String: String]) -> [String] {
        tags.keys.filter { key in
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return false }
            switch parts[0] {
            case "ID3", "APE", "Lyrics3", "XMP": return true
            case _ where parts[0].hasPrefix("ID3"): return true
            case "Vorbis", "Opus":
                if parts[1] == "Vendor" { return tags[key] != "Tipline" }
                return !structural.contains(parts[1])
            case "MPEG": return parts[1] == "Encoder" && tags[key]!.contains(/[0-9]\.[0-9]/)
            default: return false
            }
        }.sorted()
    }

    enum Decode { case same, inputUndecodable, inputTailNoise, changed }

    /// Decoded PCM equal; or the input's ffmpeg decode errs; or the output's decode is the
    /// input's minus at most one frame of samples at the very end (ffmpeg decoding the bytes
    /// of a trailing tag as a last frame of noise).
    static func compareDecodes(_ input: String, _ output: String) throws -> Decode {
        guard try MP3OggFixtures.decodeErrors(input).isEmpty else { return .inputUndecodable }
        func pcm(_ path: String) throws -> Data {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["ffmpeg", "-v", "error", "-i", path, "-map", "0:a", "-f", "s16le", "-"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return data
        }
        let a = try pcm(input), b = try pcm(output)
        if a == b { return .same }
        if b.count < a.count, a.count - b.count <= 1152 * 2 * 2, a.prefix(b.count) == b { return .inputTailNoise }
        return .changed
    }

    static func run(_ folder: String, extensions: Set<String>) throws -> Tally {
        var t = Tally()
        let scratch = try Scratch()
        let redactor = Redactor(policy: RedactionPolicy())
        for url in FormatsSupport.corpusFiles(folder, extensions: extensions) {
            t.files += 1
            let input = try FormatsSupport.read(url)
            let output: [UInt8]
            do {
                output = try redactor.redact(input).output
            } catch {
                t.refused += 1
                t.refusals.append("\(url.lastPathComponent): \(error)")
                continue
            }
            t.scrubbed += 1
            let out = try scratch.write("\(t.files).\(url.pathExtension)", output)
            let before = try Tools.exiftool(url.path), after = try Tools.exiftool(out)
            let values = leaks(before).compactMap { before[$0] }.filter { $0.count >= 5 && $0.contains { $0.isLetter } }
            let leaked = leaks(after) + values.filter { MP3OggFixtures.contains(output, $0) }
            if !leaked.isEmpty {
                t.leaks += 1
                Issue.record("\(url.lastPathComponent): still carries \(leaked)")
            }
            switch try compareDecodes(url.path, out) {
            case .same: break
            case .inputUndecodable: t.undecodableInputs += 1
            case .inputTailNoise: t.tailNoise += 1
            case .changed:
                t.decodeChanges += 1
                Issue.record("\(url.lastPathComponent): decoded audio changed")
            }
            #expect(try redactor.redact(output).output == output, "\(url.lastPathComponent): re-scrub is not a no-op")
        }
        return t
    }
}
