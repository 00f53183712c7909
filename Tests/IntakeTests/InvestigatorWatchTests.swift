import Foundation
import Testing
import TiplineCrypto
import TiplineVault

/// `tipvault sync --watch` (issue 11): an alert line per sync that brought tips or follow-ups,
/// with counts only (no message text), nothing for triage alone, and a warning, not an exit,
/// while the service is down.
@Suite("tipvault sync --watch", .serialized)
struct InvestigatorWatchTests {
    let admin = InvestigatorClient.key(0xA1)

    @Test("a new tip and a follow-up each print one count-only line; triage prints none; a down service warns and the watch goes on")
    func watchAlerts() throws {
        let server = try ServerUnderTest(adminKeys: [admin.publicKey.text])
        let whoami = try server.tipvault(["whoami", "--keyring", server.keyring.path])
        let line = try #require(whoami.out.split(separator: "\n").first { $0.hasPrefix("signing-key: ") }, "\(whoami.err)")
        let anaKey = try InvestigatorPublicKey(text: line.dropFirst("signing-key: ".count))
        let adminClient = InvestigatorClient(port: server.investigatorPort, key: admin)
        let roster = try Roster(
            sequence: 1, members: [.init(name: "admin", key: admin.publicKey, role: .admin), .init(name: "ana", key: anaKey, role: .investigator)]
        ).signed(by: admin).bytes
        #expect(try adminClient.send("PUT", "/investigator/v1/roster", body: roster).status == 200)
        let url = "http://127.0.0.1:\(server.investigatorPort)"
        #expect(try server.tipvault(["remote", "add", url, "--keyring", server.keyring.path]).status == 0)

        let cache = server.root.appendingPathComponent("cache").path
        let outURL = server.root.appendingPathComponent("watch.out"), errURL = server.root.appendingPathComponent("watch.err")
        for file in [outURL, errURL] { FileManager.default.createFile(atPath: file.path, contents: nil) }
        let watcher = Process()
        watcher.executableURL = try #require(Binaries.tipvault)
        watcher.arguments = ["sync", "--watch", "--interval", "1", "--vault", cache, "--keyring", server.keyring.path]
        watcher.environment = ["PATH": "/usr/bin:/bin", "TIPVAULT_PASSPHRASE": ServerUnderTest.passphrase, "TIPVAULT_TEST_FAST_KDF": "1"]
        watcher.standardOutput = try FileHandle(forWritingTo: outURL)
        watcher.standardError = try FileHandle(forWritingTo: errURL)
        watcher.standardInput = FileHandle.nullDevice
        try watcher.run()
        defer {
            if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) }
            watcher.waitUntilExit()
        }
        func lines(_ url: URL) -> [String] { ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        /// Waits up to 30 s for `count` lines in `url`, then returns them.
        func waitFor(_ count: Int, in url: URL = outURL) -> [String] {
            let deadline = Date().addingTimeInterval(30)
            while lines(url).count < count, Date() < deadline, watcher.isRunning { Thread.sleep(forTimeInterval: 0.05) }
            return lines(url)
        }
        let alert = #/^\d\d:\d\d (.+)$/#
        #expect(
            waitFor(2).prefix(2) == [
                "synced from \(url): 0 new tips, 0 envelopes, 0 events, 0 notices, 0 removed", "watching \(url) every 1 s; Ctrl-C ends",
            ], "\(lines(errURL))")

        let message = "Watch canary \(UUID().uuidString)"
        let submitted = try server.submit(MultipartBody.tip(message: message))
        let receipt = try #require(submitted.json?["receipt"] as? String)
        let third = waitFor(3)
        #expect(third.count == 3 && third.last.flatMap { try? alert.wholeMatch(in: $0)?.1 } == "1 new tip", "\(third)")

        // Triage alone is not news: the next syncs print nothing.
        let listed = try adminClient.send("GET", "/investigator/v1/changes")
        let tip = try #require((listed.json?["tips"] as? [[String: Any]])?.first?["id"] as? String)
        let agency = try #require(try Vault.agencyPublicKeys(in: server.vault).last)
        let day = try Vault(readingFrom: server.vault, policy: .init()).today()
        let event = SealedBox.seal(
            InvestigatorClient.padded(#"{"by":"admin","day":"\#(day)","kind":"status","tip":"\#(tip)","value":"triaged","version":2}"#), to: agency)
        #expect(try adminClient.send("POST", "/investigator/v1/tips/\(tip)/events", body: event).status == 201)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(lines(outURL).count == 3, "\(lines(outURL))")

        var more = MultipartBody()
        more.field("receipt", receipt)
        more.field("message", "More: \(message)")
        #expect(try server.submit(more, path: "/api/v1/followup/messages").status == 201)
        let fourth = waitFor(4)
        #expect(fourth.count == 4 && fourth.last.flatMap { try? alert.wholeMatch(in: $0)?.1 } == "1 follow-up", "\(fourth)")

        // The service goes away: a warning on stderr, and the watch keeps running.
        _ = server.stop()
        let warned = waitFor(1, in: errURL)
        #expect(warned.first?.hasPrefix("tipvault: warning: ") == true && warned.first?.contains("sync failed") == true, "\(warned)")
        #expect(watcher.isRunning)
        let everything = lines(outURL) + lines(errURL)
        #expect(!everything.contains { $0.contains(message) || $0.contains("Watch canary") })
    }
}
