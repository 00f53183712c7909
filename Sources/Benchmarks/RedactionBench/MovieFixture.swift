import Foundation

/// The movie bench's input: a phone-like MP4 with its index (`moov`) after the media data, as
/// ffmpeg and most phones write it: H.264 1080p30 (x264, lossless, so a minute is about 250 MB
/// and the file is quick to make) with x264's SEI user data, AAC 48 kHz, a `mov_text` subtitle
/// track, a timecode track, and QuickTime metadata keys naming the make and a location.
/// ffmpeg makes a 10 s segment once, then loops it with `-c copy` to the size asked for, so a
/// 1 GiB file takes seconds rather than minutes. ffmpeg is a bench tool, never in the product.
enum MovieFixture {
    static let segmentSeconds = 10.0

    /// The fixture of about `mebibytes` MiB in `directory`, made unless it is already there.
    static func make(mebibytes: Int, in directory: URL) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let movie = directory.appendingPathComponent("phone-\(mebibytes)MiB.mp4").path
        if fm.fileExists(atPath: movie) { return movie }

        let segment = directory.appendingPathComponent("phone-segment-10s.mp4").path
        if !fm.fileExists(atPath: segment) {
            _ = try Measure.child([
                "ffmpeg", "-v", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", String(segmentSeconds), "-map", "0:v", "-map", "1:a",
                "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p", "-g", "60",
                "-c:a", "aac", "-b:a", "128k", segment + ".partial.mp4",
            ])
            try fm.moveItem(atPath: segment + ".partial.mp4", toPath: segment)
        }
        let subtitles = directory.appendingPathComponent("phone-subtitles.srt")
        let cues = (0..<30).map { i in
            let (a, b) = (i * 10, i * 10 + 5)
            return "\(i + 1)\n00:\(two(a / 60)):\(two(a % 60)),000 --> 00:\(two(b / 60)):\(two(b % 60)),000\nbench caption \(i + 1)\n"
        }
        try cues.joined(separator: "\n").write(to: subtitles, atomically: true, encoding: .utf8)

        let segmentBytes = Double(try fileSize(segment))
        let seconds = Double(mebibytes) * 1_048_576 / (segmentBytes / segmentSeconds)
        _ = try Measure.child([
            "ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", segment, "-i", subtitles.path,
            "-t", String(format: "%.2f", seconds), "-map", "0:v", "-map", "0:a", "-map", "1:s",
            "-c:v", "copy", "-c:a", "copy", "-c:s", "mov_text", "-timecode", "01:00:00:00",
            "-movflags", "use_metadata_tags",
            "-metadata", "com.apple.quicktime.make=BenchPhone",
            "-metadata", "com.apple.quicktime.model=BenchPhone 15 Pro",
            "-metadata", "com.apple.quicktime.location.ISO6709=+48.8583+002.2945/",
            "-metadata", "com.apple.quicktime.creationdate=2026-06-01T12:34:56+0200",
            movie + ".partial.mp4",
        ])
        try fm.moveItem(atPath: movie + ".partial.mp4", toPath: movie)
        return movie
    }

    static func fileSize(_ path: String) throws -> Int {
        guard let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            throw BenchError("cannot read the size of \(path)")
        }
        return size
    }

    private static func two(_ n: Int) -> String { String(format: "%02d", n) }
}
