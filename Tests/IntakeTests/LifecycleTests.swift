import Foundation
import Testing

/// Starting, stopping and restarting the real process: the deployment salt, receipts across
/// restarts, a missing agency key, and SIGTERM in the middle of an upload.
@Suite("Intake process lifecycle", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct LifecycleTests {
    @Test("deployment.salt is 16 bytes, mode 0600, and never changes; receipts keep working after a restart")
    func saltAndRestart() throws {
        let server = try ServerUnderTest()
        let saltURL = server.vault.appendingPathComponent("deployment.salt")
        let salt = try Data(contentsOf: saltURL)
        #expect(salt.count == 16)
        let mode = (try FileManager.default.attributesOfItem(atPath: saltURL.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "mode \(String(mode ?? 0, radix: 8))")
        let r = try server.submit(.tip(message: "before the restart"))
        #expect(r.status == 201)
        let receipt = try #require(r.json?["receipt"] as? String)
        let id = try #require(try server.listTips().first?["id"] as? String)
        #expect(try server.investigate(["reply", id, "seen it"]).status == 0)

        #expect(try server.restart() == 0, "SIGTERM: exit 0")
        #expect(try Data(contentsOf: saltURL) == salt, "the salt must never change")
        let followup = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt])
        #expect(followup.status == 200)
        #expect((followup.json?["replies"] as? [[String: String]])?.map { $0["text"] } == ["seen it"])
    }

    /// The project's CLI voice (STYLE.md §7): one `error:` line, then one `hint:` line.
    @Test("without agency.pub the server exits 1 with an error naming the file and a hint to run `tipvault init`")
    func missingAgencyKey() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-nokey-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try Run.capture(Binaries.tipintake!, ["serve", "--data", root.path, "--host", "127.0.0.1", "--port", "0"])
        #expect(r.status == 1)
        #expect(r.out == "")
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "error and hint: \(r.err)")
        #expect(lines.first?.hasPrefix("tipintake: error: ") == true && lines.first?.contains("agency.pub") == true, "\(r.err)")
        #expect(lines.last?.hasPrefix("tipintake: hint: ") == true && lines.last?.contains("tipvault init") == true, "\(r.err)")
    }

    /// Reading of "in-flight uploads finish or abort cleanly": a stalled upload may hold the
    /// shutdown at most until its body-idle timeout (3 s here), then the process exits 0.
    @Test("SIGTERM during a stalled upload: exit 0 within the idle timeout, nothing of the upload stored")
    func sigtermMidUpload() throws {
        var policy = TestPolicy()
        policy.bodyIdleTimeoutSeconds = 3
        let server = try ServerUnderTest(policy: policy)
        let photo = try Fixtures.noiseJPEG(in: server.work, side: 300)
        let body = MultipartBody.tip(message: "interrupted", files: [("a.jpg", photo)])
        let request = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", body.contentType)], body: body.bytes)
        let c = try RawConnection(port: server.port, timeout: 20)
        try c.send(Array(request.prefix(request.count / 2)))
        Thread.sleep(forTimeInterval: 0.5)
        let start = Date()
        let status = server.stop()
        #expect(status == 0, "graceful exit status")
        #expect(Date().timeIntervalSince(start) < 14, "stopped within the grace period")
        c.close()
        #expect(try VaultInspector.leftovers(in: server.vault) == .init(orphanChunks: 0, uploads: 0))
        try server.restart()
        #expect(try server.tipCount() == 0)
        #expect(try server.submit(.tip(message: "after")).status == 201)
    }

    @Test("keep_location=on keeps GPS in the stored photo; without it GPS is gone")
    func locationOptIn() throws {
        let server = try ServerUnderTest()
        let jpeg = try Fixtures.gpsRotatedJPEG(in: server.work)
        let r = try server.submit(.tip(message: "with place", files: [("here.jpg", jpeg.bytes)], extra: [("keep_location", "on")]))
        #expect(r.status == 201, "\(r.text.prefix(300))")
        let item = (r.json?["attachments"] as? [[String: Any]])?.first ?? [:]
        #expect((item["kept"] as? [String])?.contains("location") == true)
        #expect((item["removed"] as? [String])?.contains("location") == false)
        let id = try #require(try server.listTips().first?["id"] as? String)
        let dir = server.work.appendingPathComponent("kept")
        #expect(try server.investigate(["export", id, "--to", dir.path]).status == 0)
        let tags = try Oracles.exiftool(dir.appendingPathComponent("attachment-1.jpg").path)
        #expect(tags.keys.contains { $0.hasPrefix("GPS:GPSLatitude") }, "GPS kept on opt-in")
        #expect(!tags.keys.contains { $0.hasSuffix(":Make") || $0.hasSuffix(":SerialNumber") }, "the device is still removed")
    }

    @Test("a follow-up message with a photo: 201 with its report, exported as followup-1-attachment-1.jpg, scrubbed")
    func followUpWithAttachment() throws {
        let server = try ServerUnderTest()
        let r = try server.submit(.tip(message: "first"))
        let receipt = try #require(r.json?["receipt"] as? String)
        let jpeg = try Fixtures.gpsRotatedJPEG(in: server.work)
        var m = MultipartBody()
        m.field("receipt", receipt)
        m.field("message", "here is the photo")
        m.file("later.jpg", jpeg.bytes, contentType: "image/jpeg")
        let posted = try server.submit(m, path: "/api/v1/followup/messages")
        #expect(posted.status == 201, "\(posted.text.prefix(300))")
        let items = posted.json?["attachments"] as? [[String: Any]] ?? []
        #expect(items.map { $0["name"] as? String } == ["later.jpg"])
        #expect((items.first?["removed"] as? [String])?.contains("location") == true)
        let id = try #require(try server.listTips().first?["id"] as? String)
        let dir = server.work.appendingPathComponent("fu")
        let export = try server.investigate(["export", id, "--to", dir.path])
        #expect(export.status == 0)
        let path = dir.appendingPathComponent("followup-1-attachment-1.jpg").path
        #expect(Oracles.identifyingTags(try Oracles.exiftool(path)) == [])
    }

    @Test("routes outside the contract: unknown paths and API versions are 404, other methods on known paths 405")
    func unknownRoutes() throws {
        let server = try ServerUnderTest()
        for (method, path, api, status) in [
            ("GET", "/tips", false, 405), ("GET", "/followup/messages", false, 405), ("GET", "/api/v1/tips", true, 405),
            ("GET", "/api/v2/tips", true, 404), ("DELETE", "/", false, 405), ("GET", "/../etc/passwd", false, 404),
        ] {
            let r = try RawConnection.exchange(port: server.port, method, path)
            #expect(r.status == status, "\(method) \(path) → \(r.status)")
            if api { #expect(r.header("Content-Type")?.hasPrefix("application/json") == true && r.errorCode != nil, "\(method) \(path)") }
            Contract.expectSecurityHeaders(r, "\(method) \(path)")
        }
    }
}
