import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// WebM and MKV files made during the test run with ffmpeg (test-only), each carrying canaries
/// where phones, browsers and muxers put metadata: a title, an artist, a creation date
/// (DateUTC), a track name, chapters, a subtitle track with GPS text, an attachment (MKV).
enum WebMFixtures {
    /// Every canary starts with this; none may survive in an output.
    static let canary = "CANARY"
    /// Muxer and encoder names ffmpeg writes (MuxingApp/WritingApp, ENCODER tags, Vorbis vendor).
    static let writerNames = ["Lavf", "Lavc", "Xiph"]

    static func ffmpeg(_ args: [String]) throws {
        try FormatsSupport.must("ffmpeg", ["-v", "error", "-y", "-nostdin"] + args)
    }

    /// Chapters (ffmetadata) and a subtitle carrying a GPS-looking canary.
    static func sideFiles(_ scratch: Scratch, vtt: Bool) throws -> (chapters: String, subtitle: String) {
        let chapters = try scratch.write(
            "chapters.txt", Array(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\ntitle=CANARY-CHAPTER\n".utf8))
        let text = "CANARY-GPS 48.8577N 2.2950E"
        let subtitle =
            vtt
            ? try scratch.write("sub.vtt", Array("WEBVTT\n\n00:00:00.000 --> 00:00:00.800\n\(text)\n".utf8))
            : try scratch.write("sub.srt", Array("1\n00:00:00,000 --> 00:00:00,800\n\(text)\n".utf8))
        return (chapters, subtitle)
    }

    static let tags = [
        "-metadata", "title=CANARY-TITLE", "-metadata", "artist=CANARY-ARTIST", "-metadata", "date=CANARY-DATE",
        "-metadata", "creation_time=2024-05-06T07:08:09Z", "-metadata:s:v", "title=CANARY-TRACKNAME",
    ]

    static func sources(seconds: String) -> [String] {
        ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=\(seconds)", "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)"]
    }

    /// VP9 + Opus WebM with a WebVTT subtitle track, chapters and tags.
    static func vp9Opus(_ scratch: Scratch, seconds: String = "1") throws -> String {
        let (chapters, subtitle) = try sideFiles(scratch, vtt: true)
        let out = scratch.path("vp9.webm")
        try ffmpeg(
            sources(seconds: seconds) + ["-i", chapters, "-i", subtitle, "-map", "0", "-map", "1", "-map", "3", "-map_chapters", "2"]
                + ["-c:v", "libvpx-vp9", "-c:a", "libopus", "-c:s", "webvtt"] + tags + [out])
        return out
    }

    /// VP8 + Vorbis MKV with an SRT subtitle track, chapters, tags and a text attachment.
    static func vp8VorbisMKV(_ scratch: Scratch) throws -> String {
        let (chapters, subtitle) = try sideFiles(scratch, vtt: false)
        let attachment = try scratch.write("canary.txt", Array("CANARY-ATTACHMENT\n".utf8))
        let out = scratch.path("vp8.mkv")
        try ffmpeg(
            sources(seconds: "1") + ["-i", chapters, "-i", subtitle, "-map", "0", "-map", "1", "-map", "3", "-map_chapters", "2"]
                + ["-c:v", "libvpx", "-c:a", "libvorbis", "-c:s", "srt", "-attach", attachment, "-metadata:s:t", "mimetype=text/plain"]
                + tags + [out])
        return out
    }

    /// A live-style WebM as MediaRecorder writes it: written to a pipe (Segment of unknown size,
    /// no Cues), then every Cluster's size set to unknown too.
    static func live(_ scratch: Scratch) throws -> String {
        let data = try Tools.run(
            "ffmpeg",
            ["-v", "error", "-nostdin"] + sources(seconds: "1") + ["-c:v", "libvpx-vp9", "-c:a", "libopus"] + tags + ["-f", "webm", "pipe:1"])
        // ffmpeg still sizes each Cluster; Chrome's MediaRecorder does not: mark them unknown (all ones).
        var bytes = [UInt8](data)
        for e in elements(bytes) where e.id == 0x1F43_B675 {
            let n = e.headerLength - 4
            bytes[e.start + 4] = 0xFF >> (n - 1)
            for k in 1..<n { bytes[e.start + 4 + k] = 0xFF }
        }
        return try scratch.write("live.webm", bytes)
    }

    static func h264MKV(_ scratch: Scratch) throws -> String {
        let out = scratch.path("h264.mkv")
        try ffmpeg(sources(seconds: "0.5") + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "libvorbis"] + tags + [out])
        return out
    }

    /// ffmpeg's per-frame checksums of the kept streams (video and audio), header lines included.
    static func frames(_ path: String) throws -> String {
        try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:v", "-map", "0:a", "-f", "framemd5", "-"]).output
    }

    static func decodeErrors(_ path: String) throws -> String {
        try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"]).output
    }

    /// The stream types ffprobe sees, in order.
    static func streamTypes(_ path: String) throws -> [String] {
        try FormatsSupport.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path]).output
            .split(separator: "\n").map(String.init)
    }

    /// exiftool's fullest reading (`-a -G1 -ee3 -u`), as text lines.
    static func exiftool(_ path: String) throws -> String {
        try FormatsSupport.run("exiftool", ["-a", "-G1", "-ee3", "-u", "-s", path]).output
    }

    /// One element found by the test's own walk (trusting sizes): where it starts, its ID and
    /// size, and its header length. `size` nil: unknown.
    struct Element {
        let id: UInt32
        let start: Int
        let headerLength: Int
        let size: Int?
        var end: Int? { size.map { start + headerLength + $0 } }
    }

    static let masters: Set<UInt32> = [
        0x1A45_DFA3, 0x1853_8067, 0x114D_9B74, 0x4DBB, 0x1549_A966, 0x1654_AE6B, 0xAE, 0xE0, 0xE1, 0x1F43_B675, 0xA0, 0x1C53_BB6B, 0xBB, 0xB7,
    ]

    /// Every element of `b` in file order, descending into the masters above.
    static func elements(_ b: [UInt8]) -> [Element] {
        var out: [Element] = []
        func walk(_ from: Int, _ to: Int) {
            var at = from
            while at < to {
                let idLength = b[at].leadingZeroBitCount + 1
                guard idLength <= 4, at + idLength < to else { return }
                let id = b[at..<(at + idLength)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                let n = b[at + idLength].leadingZeroBitCount + 1
                guard n <= 8, at + idLength + n <= to else { return }
                var size = Int(b[at + idLength] & (0xFF >> n))
                for x in b[(at + idLength + 1)..<(at + idLength + n)] { size = size << 8 | Int(x) }
                let unknown = size == (1 << (7 * n)) - 1
                let e = Element(id: id, start: at, headerLength: idLength + n, size: unknown ? nil : size)
                out.append(e)
                let dataStart = at + idLength + n
                guard let end = e.end else {
                    // Unknown size: a Segment holds the rest; a Cluster's children follow as if siblings.
                    at = dataStart
                    continue
                }
                if masters.contains(id) { walk(dataStart, min(end, to)) }
                at = end
            }
        }
        walk(0, b.count)
        return out
    }

    static func first(_ id: UInt32, in b: [UInt8]) -> Element? { elements(b).first { $0.id == id } }
}
