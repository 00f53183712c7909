import Foundation
import Testing
import TiplineCrypto
import TiplineVault

/// `tipvault sync` against a real `tipintake serve --investigator-port` (issue 11): two
/// investigators with their own keyring and cache folders (two machines) mirror the server,
/// see each other's triage, sync idempotently, lose a purged tip, and a removed investigator's
/// sync fails loudly.
@Suite("tipvault sync against the investigator service", .serialized)
struct InvestigatorSyncTests {
    let admin = InvestigatorClient.key(0xA1)

    /// Runs the real tipvault with the test passphrase in `directory`.
    func tipvault(_ server: ServerUnderTest, _ arguments: [String]) throws -> Run.Result {
        try server.tipvault(arguments)
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test("A and B sync into their own caches, see the tip and the triage; twice stores nothing; purge and removal")
    func twoInvestigators() throws {
        let server = try ServerUnderTest(adminKeys: [admin.publicKey.text])
        let machineA = server.root.appendingPathComponent("machine-a")
        let machineB = server.root.appendingPathComponent("machine-b")
        let keyringA = server.keyring.path
        let keyringB = machineB.appendingPathComponent("keyring")
        let passFile = server.root.appendingPathComponent("b.pass")
        try Data(ServerUnderTest.passphrase.utf8).write(to: passFile)
        let added = try tipvault(
            server, ["investigator", "add", "bo", "--keyring", keyringA, "--investigator", "ana", "--new-passphrase-file", passFile.path])
        #expect(added.status == 0, "\(added.err)")
        // B's files go to B's machine; A's keyring keeps only A.
        try FileManager.default.createDirectory(at: keyringB, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: keyringA) where name.hasPrefix("bo.") {
            try FileManager.default.moveItem(atPath: "\(keyringA)/\(name)", toPath: keyringB.appendingPathComponent(name).path)
        }
        func publicKey(_ keyring: String) throws -> InvestigatorPublicKey {
            let shown = try tipvault(server, ["whoami", "--keyring", keyring])
            #expect(shown.status == 0, "\(shown.err)")
            let line = try #require(shown.out.split(separator: "\n").first { $0.hasPrefix("signing-key: ") })
            return try InvestigatorPublicKey(text: line.dropFirst("signing-key: ".count))
        }
        let (anaKey, boKey) = (try publicKey(keyringA), try publicKey(keyringB.path))
        let adminClient = InvestigatorClient(port: server.investigatorPort, key: admin)
        func putRoster(_ sequence: UInt64, bo role: Roster.Role) throws {
            let roster = try Roster(
                sequence: sequence,
                members: [
                    .init(name: "admin", key: admin.publicKey, role: .admin), .init(name: "ana", key: anaKey, role: .investigator),
                    .init(name: "bo", key: boKey, role: role),
                ]
            ).signed(by: admin).bytes
            let put = try adminClient.send("PUT", "/investigator/v1/roster", body: roster)
            #expect(put.status == 200, "\(put.text)")
        }
        try putRoster(1, bo: .investigator)

        let message = "Sync test tip \(UUID().uuidString)"
        let submitted = try server.submit(MultipartBody.tip(message: message))
        #expect(submitted.status == 201)
        let receipt = try #require(submitted.json?["receipt"] as? String)

        let url = "http://127.0.0.1:\(server.investigatorPort)"
        for keyring in [keyringA, keyringB.path] {
            #expect(try tipvault(server, ["remote", "add", url, "--keyring", keyring]).status == 0)
        }
        let cacheA = machineA.appendingPathComponent("cache").path
        let cacheB = machineB.appendingPathComponent("cache").path
        func sync(_ keyring: String, _ cache: String) throws -> Run.Result {
            try tipvault(server, ["sync", "--vault", cache, "--keyring", keyring])
        }
        let first = try sync(keyringA, cacheA)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out == "synced from \(url): 1 new tip, 1 envelope, 0 events, 0 notices, 0 removed\n")
        let listA = try tipvault(server, ["list", "--json", "--vault", cacheA, "--keyring", keyringA])
        let tips = try #require(try json(listA.out) as? [[String: Any]], "\(listA.err)")
        #expect(tips.count == 1 && tips[0]["firstLine"] as? String == message)
        let tipID = try #require(tips[0]["id"] as? String)

        // A replies and sets a status on the cache: both go to the service first.
        let reply = "Thank you, what time was it? \(UUID().uuidString.prefix(6))"
        let replied = try tipvault(server, ["reply", tipID, reply, "--vault", cacheA, "--keyring", keyringA])
        #expect(replied.status == 0, "\(replied.err)")
        #expect(replied.out == "reply sent for tip \(tipID.prefix(10)); the tipster sees it with their receipt\n")
        let status = try tipvault(server, ["status", tipID, "triaged", "--vault", cacheA, "--keyring", keyringA])
        #expect(status.status == 0, "\(status.err)")
        let noteText = "Note canary \(UUID().uuidString)"
        #expect(try tipvault(server, ["note", tipID, noteText, "--vault", cacheA, "--keyring", keyringA]).status == 0)
        let seen = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt])
        #expect(seen.json?["status"] as? String == "triaged", "\(seen.text)")
        #expect((seen.json?["replies"] as? [[String: Any]])?.map { $0["text"] as? String } == [reply])

        // A's own cache already holds what A sent: syncing stores nothing, twice.
        let second = try sync(keyringA, cacheA)
        #expect(second.out == "synced from \(url): 0 new tips, 0 envelopes, 0 events, 0 notices, 0 removed\n", "\(second.err)")
        let again = try sync(keyringA, cacheA)
        #expect(again.out == second.out, "\(again.err)")

        let syncB = try sync(keyringB.path, cacheB)
        #expect(syncB.out == "synced from \(url): 1 new tip, 1 envelope, 3 events, 2 notices, 0 removed\n", "\(syncB.err)")
        let showB = try tipvault(server, ["show", tipID, "--json", "--vault", cacheB, "--keyring", keyringB.path])
        let detail = try #require(try json(showB.out) as? [String: Any], "\(showB.err)")
        #expect((detail["state"] as? [String: Any])?["status"] as? String == "triaged")
        let events = try #require(detail["events"] as? [[String: Any]], "\(showB.out)")
        #expect(events.map { $0["kind"] as? String } == ["reply", "status", "note"])
        #expect(events.map { $0["by"] as? String } == ["ana", "ana", "ana"])
        #expect(events.last?["value"] as? String == noteText)

        // After replies, notes and two syncs the server's side decrypts nothing: no tip, reply or
        // note text, no passphrase and no investigator secret anywhere in its data, temp or logs.
        let serverFiles =
            [server.vault, server.tmp].flatMap { ServerUnderTest.files(under: $0) } + [
                (server.stdoutLog.path, Array(server.stdoutText.utf8)), (server.stderrLog.path, Array(server.stderrText.utf8)),
            ]
        #expect(serverFiles.count > 3)
        for canary in [message, reply, noteText, receipt, ServerUnderTest.passphrase] {
            for (path, bytes) in serverFiles where bytes.contains(bytes: Array(canary.utf8)) {
                Issue.record("\(path) holds \(canary.prefix(12))…")
            }
        }
        #expect(!serverFiles.contains { $0.path.hasSuffix(".tlsign") || $0.path.hasSuffix(".tlkey") })
        #expect(events.first?["value"] as? String == reply)

        // Purged on the server: gone from the cache on the next sync.
        #expect(try adminClient.send("POST", "/investigator/v1/tips/\(tipID)/purge").status == 200)
        let afterPurge = try sync(keyringA, cacheA)
        #expect(afterPurge.out == "synced from \(url): 0 new tips, 0 envelopes, 0 events, 0 notices, 1 removed\n", "\(afterPurge.err)")
        #expect(try tipvault(server, ["list", "--vault", cacheA, "--keyring", keyringA]).out == "no tips\n")

        // Removed from the roster: B's sync fails loudly and pulls nothing.
        try putRoster(2, bo: .revoked)
        let refused = try sync(keyringB.path, cacheB)
        #expect(refused.status == 1)
        #expect(refused.out == "")
        #expect(refused.err.contains("tipvault: error: the investigator service refused the request (403 revoked)"), "\(refused.err)")
        #expect(refused.err.contains("tipvault: hint: your signing key is not (or no longer) in the roster"), "\(refused.err)")

        // Nothing listening: a clear error, not a hang.
        _ = server.stop()
        let down = try sync(keyringA, cacheA)
        #expect(down.status == 1 && down.err.contains("tipvault: error: the investigator service at \(url) did not answer"), "\(down.err)")
        let unsent = try tipvault(server, ["note", tipID, "never stored", "--vault", cacheB, "--keyring", keyringB.path])
        #expect(unsent.status == 1 && unsent.err.contains("not sent, and nothing was stored"), "\(unsent.err)")
        #expect(try tipvault(server, ["show", tipID, "--json", "--vault", cacheB, "--keyring", keyringB.path]).out.contains("never stored") == false)
    }
}
