import Foundation
import Testing

/// Phone videos and voice memos through the real server: scrubbed, stored, exported clean with
/// every decoded frame and sample unchanged, the server's memory bounded while it waits for a
/// moov-last file's index, and no byte of the video (metadata or media) left in the clear in
/// the data directory, its temporary directory or the logs.
@Suite("Video and audio intake", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct VideoIntakeTests {
    struct Movie {
        var url: URL
        var bytes: [UInt8]
        var canaries: [String]
    }

    /// An iPhone-like MOV, `moov` after `mdat` as phones write it: H.264 with a user-data SEI
    /// canary, AAC, Apple location/make/model keys, a subtitle track with GPS text. `seconds`
    /// and `size` scale it; `large` adds noise and codes it losslessly (~40 MB a second at 720p).
    static func phoneMovie(in dir: URL, seconds: Int = 2, size: String = "320x240", large: Bool = false) throws -> Movie {
        let srt = dir.appendingPathComponent("gps.srt")
        let subtitle = Fixtures.canary("subtitle")
        try "1\n00:00:00,000 --> 00:00:01,000\nGPS 48.85830 2.29450 \(subtitle)\n".write(to: srt, atomically: true, encoding: .utf8)
        let url = dir.appendingPathComponent("IMG_\(UUID().uuidString.prefix(4)).mov")
        let sei = Fixtures.canary("sei")
        let make = Fixtures.canary("make")
        let model = Fixtures.canary("model")
        _ = try Fixtures.check(
            try Run.tool(
                "ffmpeg",
                [
                    "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=\(size):rate=25:duration=\(seconds)" + (large ? ",noise=alls=60:allf=t" : ""), "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=\(seconds)", "-i", srt.path, "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264",
                    "-preset", "ultrafast",
                ] + (large ? ["-qp", "0"] : []) + [
                    "-pix_fmt", "yuv420p", "-bsf:v", "h264_metadata=sei_user_data=086f3693-b7b3-4f2c-9653-21492feee5b8+\(sei)",
                    "-c:a", "aac", "-c:s", "mov_text", "-movflags", "use_metadata_tags", "-metadata",
                    "com.apple.quicktime.make=\(make)", "-metadata", "com.apple.quicktime.model=\(model)", "-metadata",
                    "com.apple.quicktime.location.ISO6709=+48.8583+002.2945+035.000/", url.path,
                ]))
        return Movie(url: url, bytes: [UInt8](try Data(contentsOf: url)), canaries: [sei, make, model, subtitle, "+48.8583"])
    }

    static func voiceMemo(in dir: URL) throws -> Movie {
        let url = dir.appendingPathComponent("New Recording \(UUID().uuidString.prefix(4)).m4a")
        let title = Fixtures.canary("memotitle")
        _ = try Fixtures.check(
            try Run.tool(
                "ffmpeg",
                ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=300:duration=3", "-c:a", "aac", "-metadata", "title=\(title)", url.path]
            ))
        return Movie(url: url, bytes: [UInt8](try Data(contentsOf: url)), canaries: [title])
    }

    static func frameChecksums(_ path: String, _ maps: [String]) throws -> [String] {
        let r = try Run.tool("ffmpeg", ["-v", "error", "-i", path] + maps.flatMap { ["-map", $0] } + ["-f", "framemd5", "-"])
        return r.out.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    /// Windows of the media data (not metadata): a spool or a stray copy in the clear would hold them.
    static func mediaWindows(_ bytes: [UInt8], count: Int = 6) -> [[UInt8]] {
        (1...count).map { i in
            let at = bytes.count * i / (count + 2)
            return Array(bytes[at..<(at + 48)])
        }
    }

    static func peakRSS(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) * 1024
    }

    @Test("a phone video through the API and a voice memo through the form: exported clean, frames and samples unchanged")
    func videoAndVoiceMemo() throws {
        let server = try ServerUnderTest()
        let movie = try Self.phoneMovie(in: server.work)
        let memo = try Self.voiceMemo(in: server.work)
        for c in movie.canaries { #expect(movie.bytes.contains(bytes: Array(c.utf8)), "fixture carries \(c)") }

        let api = try server.submit(.tip(message: "video of the yard", files: [(movie.url.lastPathComponent, movie.bytes)]))
        #expect(api.status == 201, "\(api.text.prefix(300))")
        let item = try #require((api.json?["attachments"] as? [[String: Any]])?.first)
        #expect(item["format"] as? String == "mp4")
        #expect(Set(item["removed"] as? [String] ?? []).isSuperset(of: ["location", "device", "other-tracks"]))
        #expect(Set(item["kept"] as? [String] ?? []) == ["video", "audio"])

        var form = MultipartBody()
        form.field("message", "a recording of the call")
        form.file(memo.url.lastPathComponent, memo.bytes, contentType: "audio/mp4")
        let page = try server.submit(form, path: "/tips", headers: [("Accept", "text/html")])
        #expect(page.status == 200, "\(page.text.prefix(300))")
        #expect(page.text.contains("id=\"receipt\""))

        let tips = try server.listTips()
        #expect(tips.count == 2)
        for tip in tips {
            let id = try #require(tip["id"] as? String)
            let dir = server.work.appendingPathComponent("export-\(id)")
            let export = try server.investigate(["export", id, "--to", dir.path, "--json"])
            #expect(export.status == 0, "\(export.err)")
            let names = (try JSONSerialization.jsonObject(with: Data(export.out.utf8)) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["attachment-1.mp4"])
            let path = dir.appendingPathComponent("attachment-1.mp4").path
            let exported = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let isVideo = (tip["firstLine"] as? String)?.hasPrefix("video") == true
            let original = isVideo ? movie : memo
            for c in original.canaries { #expect(!exported.contains(bytes: Array(c.utf8)), "\(c) survived export") }
            let maps = isVideo ? ["0:v", "0:a"] : ["0:a"]
            #expect(try Self.frameChecksums(path, maps) == Self.frameChecksums(original.url.path, maps), "decoded content unchanged")
            #expect(try Run.tool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"]).err == "", "plays without errors")
            let shown = try server.investigate(["show", id])
            // With the size of the picture (videos) and the length (both), read from tkhd and mvhd.
            let line = shown.out.split(separator: "\n").first { $0.contains("1. ") && $0.contains("(mp4)") } ?? ""
            #expect(line.contains(isVideo ? "1. video (mp4) " : "1. recording (mp4) 0:"), "\(shown.out)")
            #expect(line.contains("×") == isVideo && line.contains(":0"), "\(line)")
        }

        // Nothing of either file in the clear: not its metadata, not its media data, not its name.
        let secrets =
            movie.canaries.map { Array($0.utf8) } + memo.canaries.map { Array($0.utf8) } + Self.mediaWindows(movie.bytes)
            + [Array(movie.url.lastPathComponent.utf8), Array(memo.url.lastPathComponent.utf8)]
        #expect(server.stop() == 0)
        let everything =
            ServerUnderTest.files(under: server.vault) + ServerUnderTest.files(under: server.tmp)
            + [(path: "stdout", bytes: Array(server.stdoutText.utf8)), (path: "stderr", bytes: Array(server.stderrText.utf8))]
        for (path, bytes) in everything {
            for s in secrets { #expect(!bytes.contains(bytes: s), "plaintext of the upload found in \(path)") }
        }
    }

    /// A moov-last video much larger than the server's memory budget: the media data waits in
    /// the encrypted spool, so peak RSS stays bounded. ~90 MB by default (TIPLINE_LARGE_TESTS=1: ~500 MB).
    @Test("a large moov-last video keeps the server's peak memory bounded and leaves no spool behind")
    func largeVideoMemoryBound() throws {
        var policy = TestPolicy()
        policy.maxAttachmentBytes = 1 << 30
        policy.maxRequestBytes = 1 << 30
        let server = try ServerUnderTest(policy: policy)
        let large = ProcessInfo.processInfo.environment["TIPLINE_LARGE_TESTS"] == "1"
        let movie = try Self.phoneMovie(in: server.work, seconds: large ? 12 : 2, size: "1280x720", large: true)
        #expect(movie.bytes.count > (large ? 400_000_000 : 80_000_000), "fixture is \(movie.bytes.count) bytes")
        let before = Self.peakRSS(server.pid)
        let r = try server.submit(.tip(message: "long video", files: [("v.mov", movie.bytes)]))
        #expect(r.status == 201, "\(r.text.prefix(300))")
        let peak = Self.peakRSS(server.pid)
        print("video intake: \(movie.bytes.count) bytes, server peak RSS \(before >> 20) MiB before, \(peak >> 20) MiB after")
        #expect(peak > 0 && peak < 64 << 20 + policy.argon2Mem, "peak RSS \(peak >> 20) MiB")
        let leftovers = ServerUnderTest.files(under: server.vault).filter { !$0.path.contains("vault.sqlite") && !$0.path.hasSuffix(".pub") }
        #expect(leftovers.allSatisfy { !$0.path.contains("spool") }, "no spool file remains")
        for w in Self.mediaWindows(movie.bytes) {
            for (path, bytes) in ServerUnderTest.files(under: server.vault) {
                #expect(!bytes.contains(bytes: w), "media data in the clear in \(path)")
            }
        }
    }
}
