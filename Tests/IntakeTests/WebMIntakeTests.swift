import Foundation
import Testing

/// A browser-style live WebM (unknown sizes, written to a pipe as MediaRecorder does) through
/// the real server: scrubbed, stored, exported as `attachment-1.webm` with its canaries gone
/// and every decoded frame and sample unchanged; shown to the investigator as a video.
@Suite("WebM intake", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct WebMIntakeTests {
    @Test("a live WebM through the API: exported clean as .webm, frames and samples unchanged")
    func liveWebM() throws {
        let server = try ServerUnderTest()
        let title = Fixtures.canary("webmtitle")
        let artist = Fixtures.canary("webmartist")
        let recorded = try Fixtures.check(
            try Run.tool(
                "ffmpeg",
                [
                    "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=15", "-f", "lavfi", "-i", "sine=frequency=500",
                    "-t", "1", "-c:v", "libvpx-vp9", "-c:a", "libopus", "-metadata", "title=\(title)", "-metadata", "artist=\(artist)",
                    "-metadata", "creation_time=2024-05-06T07:08:09Z", "-f", "webm", "pipe:1",
                ]))
        let bytes = recorded.outBytes
        let source = server.work.appendingPathComponent("rec.webm")
        try Data(bytes).write(to: source)
        for c in [title, artist] { #expect(bytes.contains(bytes: Array(c.utf8)), "fixture carries \(c)") }

        let api = try server.submit(.tip(message: "recorded in the browser", files: [("video-2024.webm", bytes)]))
        #expect(api.status == 201, "\(api.text.prefix(300))")
        let item = try #require((api.json?["attachments"] as? [[String: Any]])?.first)
        #expect(item["format"] as? String == "webm")
        #expect(Set(item["removed"] as? [String] ?? []).isSuperset(of: ["authorship", "timestamps", "editing"]))
        #expect(Set(item["kept"] as? [String] ?? []) == ["video", "audio"])

        let tip = try #require(try server.listTips().first)
        let id = try #require(tip["id"] as? String)
        let dir = server.work.appendingPathComponent("export-\(id)")
        let export = try server.investigate(["export", id, "--to", dir.path, "--json"])
        #expect(export.status == 0, "\(export.err)")
        let names = (try JSONSerialization.jsonObject(with: Data(export.out.utf8)) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["attachment-1.webm"])
        let path = dir.appendingPathComponent("attachment-1.webm").path
        let exported = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(exported.count == bytes.count)
        for c in [title, artist, "Lavf"] { #expect(!exported.contains(bytes: Array(c.utf8)), "\(c) survived export") }
        let maps = ["0:v", "0:a"]
        #expect(try VideoIntakeTests.frameChecksums(path, maps) == VideoIntakeTests.frameChecksums(source.path, maps))
        #expect(try Run.tool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"]).err == "", "plays without errors")
        let shown = try server.investigate(["show", id])
        // The size from the kept video track, the length from the segment's Duration.
        #expect(shown.out.contains("1. video (webm) 96×64, 0:01  "), "\(shown.out)")
        #expect(server.stop() == 0)
        for (file, content) in ServerUnderTest.files(under: server.vault) + ServerUnderTest.files(under: server.tmp) {
            for c in [title, artist] { #expect(!content.contains(bytes: Array(c.utf8)), "\(c) in the clear in \(file)") }
        }
    }
}
