import Foundation
import Testing

@testable import TiplineRedaction

/// Phone-like movies made in the test run with ffmpeg (a test-only tool), each carrying
/// canaries where real phones and cameras put identifying data.
enum MovieFixtures {
    /// Every canary planted in a fixture: none may survive in a scrubbed output's bytes.
    static let canaries = [
        "CANARY-SEI", "CANARY-MAKE", "CANARY-MODEL", "CANARY-SOFT", "CANARY-SUBTITLE", "CANARY-TITLE", "CANARY-XMP",
        "x264 - core", "x265 (build", "com.apple.quicktime", "+48.8583",
    ]

    /// An iPhone-style MOV: H.264 with a user-data SEI canary (and x264's own settings SEI),
    /// AAC, Apple `mdta` keys (make, model, software, creation date, ISO 6709 location), a
    /// subtitle track carrying GPS text, a timecode track, rotated 90°. `fastStart` puts
    /// `moov` first; phones put it last.
    static func iPhoneMOV(in dir: URL, fastStart: Bool = false, name: String = "iphone.mov") throws -> URL {
        let srt = dir.appendingPathComponent("gps.srt")
        try "1\n00:00:00,000 --> 00:00:01,500\nGPS 48.85830 2.29450 CANARY-SUBTITLE\n".write(to: srt, atomically: true, encoding: .utf8)
        let raw = dir.appendingPathComponent("raw-\(name)")
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i",
                "sine=frequency=440:duration=2", "-i", srt.path, "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264",
                "-pix_fmt", "yuv420p", "-bsf:v", "h264_metadata=sei_user_data=086f3693-b7b3-4f2c-9653-21492feee5b8+CANARY-SEI",
                "-c:a", "aac", "-c:s", "mov_text", "-timecode", "01:02:03:04", "-movflags", "use_metadata_tags",
                "-metadata", "com.apple.quicktime.make=CANARY-MAKE", "-metadata", "com.apple.quicktime.model=CANARY-MODEL",
                "-metadata", "com.apple.quicktime.software=CANARY-SOFT", "-metadata",
                "com.apple.quicktime.creationdate=2024-05-06T07:08:09+0200", "-metadata",
                "com.apple.quicktime.location.ISO6709=+48.8583+002.2945+035.000/", "-metadata", "title=CANARY-TITLE", raw.path,
            ])
        let out = dir.appendingPathComponent(name)
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-i", raw.path, "-map", "0", "-c", "copy", "-metadata:s:v:0", "rotate=90", "-movflags",
                "use_metadata_tags" + (fastStart ? "+faststart" : ""), out.path,
            ])
        return out
    }

    /// An Android-style MP4: HEVC (x265 writes its settings as user-data SEI), AAC, `©xyz`
    /// location and a title in `udta`, an XMP `uuid` box written by exiftool.
    static func androidHEVC(in dir: URL) throws -> URL {
        let out = dir.appendingPathComponent("android.mp4")
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2", "-f", "lavfi", "-i",
                "sine=duration=2", "-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
                "-c:a", "aac", "-metadata", "location=+48.8583+002.2945/", "-metadata", "title=CANARY-TITLE", out.path,
            ])
        try FormatsSupport.must("exiftool", ["-q", "-overwrite_original", "-XMP-dc:Creator=CANARY-XMP", out.path])
        return out
    }

    /// A voice-memo-like M4A: AAC with title, date and artist tags.
    static func voiceMemo(in dir: URL) throws -> URL {
        let out = dir.appendingPathComponent("memo.m4a")
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=300:duration=2", "-c:a", "aac", "-metadata",
                "title=CANARY-TITLE Main Street", "-metadata", "date=2024-05-06", "-metadata", "artist=CANARY-MAKE", out.path,
            ])
        return out
    }

    /// ffmpeg's per-frame checksums of the kept streams: equal lists mean identical decoded
    /// frames and samples.
    static func frameChecksums(_ file: URL, streams: [String] = ["0:v?", "0:a?"]) throws -> [String] {
        let args = ["-v", "error", "-i", file.path] + streams.flatMap { ["-map", $0] } + ["-f", "framemd5", "-"]
        let result = try FormatsSupport.run("ffmpeg", args)
        try #require(result.status == 0, "ffmpeg framemd5: \(result.output)")
        return result.output.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    /// Decoding the whole file prints nothing: it plays.
    static func decodeErrors(_ file: URL) throws -> String {
        try FormatsSupport.run("ffmpeg", ["-v", "error", "-i", file.path, "-f", "null", "-"]).output
    }

    /// "video,audio" etc., in stream order.
    static func streamTypes(_ file: URL) throws -> [String] {
        let r = try FormatsSupport.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", file.path])
        // A stream with side data (rotation) gets a trailing comma and an empty line in CSV.
        return r.output.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ", ")) }.filter { !$0.isEmpty }
    }

    static func rotation(_ file: URL) throws -> String {
        let r = try FormatsSupport.run(
            "ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream_side_data=rotation", "-of", "csv=p=0", file.path])
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i <= b.count - n.count {
                if b[i] == n[0] && b[i..<(i + n.count)].elementsEqual(n) { return true }
                i += 1
            }
            return false
        }
    }
}
