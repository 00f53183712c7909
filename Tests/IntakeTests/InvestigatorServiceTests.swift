import Foundation
import Testing
import TiplineCrypto
import TiplineVault

/// The investigator listener (issue 11) against a real `tipintake serve` process on loopback:
/// every refusal with its status and code, the two listeners kept apart, posted records that
/// reach the tipster and `tipvault`, purge, roster replacement, and a data dir with no secret key.
@Suite("Investigator service", .serialized)
struct InvestigatorServiceTests {
    let ana = InvestigatorClient.key(0xA1)  // admin, pinned in admin.pub
    let ben = InvestigatorClient.key(0xB2)  // investigator
    let cho = InvestigatorClient.key(0xC3)  // revoked from the start
    let eve = InvestigatorClient.key(0xE4)  // in no roster

    func deployment() throws -> (ServerUnderTest, InvestigatorClient, InvestigatorClient) {
        let server = try ServerUnderTest(adminKeys: [ana.publicKey.text])
        #expect(server.investigatorPort > 0 && server.investigatorPort != server.port)
        let admin = InvestigatorClient(port: server.investigatorPort, key: ana)
        let roster = try admin.roster(1, [("ana", ana, .admin), ("ben", ben, .investigator), ("cho", cho, .revoked)])
        let put = try admin.send("PUT", "/investigator/v1/roster", body: roster)
        #expect(put.status == 200, "\(put.text)")
        #expect(put.json?["sequence"] as? Int == 1)
        return (server, admin, InvestigatorClient(port: server.investigatorPort, key: ben))
    }

    @Test("each refusal has its status and code, and the routes answer on one listener only")
    func refusals() throws {
        let startedBefore = InvestigatorClient.now
        let (server, _, benClient) = try deployment()
        let port = server.investigatorPort
        let changes = "/investigator/v1/changes?since=2026-01-01"
        func expectRefusal(_ r: RawResponse, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
            #expect(r.errorCode == code, sourceLocation: sourceLocation)
        }
        #expect(try benClient.send("GET", changes).status == 200)
        expectRefusal(try RawConnection.exchange(port: port, "GET", changes), 401, "unsigned")
        expectRefusal(try InvestigatorClient(port: port, key: eve).send("GET", changes), 401, "unknown_key")
        expectRefusal(try InvestigatorClient(port: port, key: cho).send("GET", changes), 403, "revoked")
        expectRefusal(try benClient.send("GET", changes, signedTarget: "/investigator/v1/changes?since=2026-12-01"), 401, "bad_signature")
        expectRefusal(try benClient.send("GET", changes, timestamp: InvestigatorClient.now - 301), 401, "stale_timestamp")
        expectRefusal(try benClient.send("GET", changes, timestamp: InvestigatorClient.now + 301), 401, "stale_timestamp")
        // Within ±300 s but before the process started: what a replay across a restart looks like.
        expectRefusal(try benClient.send("GET", changes, timestamp: startedBefore - 1), 401, "stale_timestamp")
        let nonce = String(repeating: "ab", count: 16)
        let first = try benClient.send("GET", changes, nonce: nonce)
        #expect(first.status == 200)
        expectRefusal(try benClient.send("GET", changes, nonce: nonce), 409, "replayed")
        var badHeaders = RequestSignature.sign(method: "GET", target: changes, body: [], key: ben, timestamp: InvestigatorClient.now)
            .headers.map { ($0.name, $0.value) }
        badHeaders[1].1 = "soon"
        expectRefusal(try RawConnection.exchange(port: port, "GET", changes, headers: badHeaders), 401, "malformed_signature")
        let tooBig = [UInt8](repeating: 0x41, count: (1 << 20) + 1)
        expectRefusal(try benClient.send("POST", "/investigator/v1/tips/\(TipID.random().text)/events", body: tooBig), 413, "body_too_large")
        expectRefusal(try benClient.send("PUT", "/investigator/v1/roster", body: try benClient.roster(2, [("ben", ben, .admin)])), 403, "admin_only")
        expectRefusal(try benClient.send("GET", "/investigator/v1/tips/\(TipID.random().text)/envelopes/0"), 404, "not_found")
        expectRefusal(try benClient.send("GET", "/investigator/v1/changes?since=yesterday"), 400, "bad_request")

        // Investigator routes do not exist on the public listener, nor public routes here.
        for path in [changes, "/investigator/v1/roster", "/investigator/v1/tips/\(TipID.random().text)/envelopes/0"] {
            #expect(try server.get(path).status == 404)
        }
        #expect(try RawConnection.exchange(port: server.port, "PUT", "/investigator/v1/roster", body: [1]).status != 200)
        #expect(try benClient.send("GET", "/").status == 404)
        #expect(try benClient.send("POST", "/api/v1/followup", body: Array(#"{"receipt":"x"}"#.utf8)).status == 404)
        #expect(try RawConnection.exchange(port: port, "GET", "/").status == 404)

        // Logs carry counters only: no key, no name.
        _ = server.stop()
        let log = server.stderrText + server.stdoutText
        #expect(log.contains("investigator requests answered"))
        for secretish in [ben.publicKey.text, "ben", "cho", String(ben.publicKey.text.suffix(44))] { #expect(!log.contains(secretish)) }
    }

    @Test("a notice posted on the investigator port reaches the tipster; an event posted twice is stored once")
    func postedRecords() throws {
        let (server, admin, benClient) = try deployment()
        let message = "Investigator service test \(UUID().uuidString)"
        let submitted = try server.submit(MultipartBody.tip(message: message))
        #expect(submitted.status == 201)
        let receipt = try #require(submitted.json?["receipt"] as? String)

        let listed = try benClient.send("GET", "/investigator/v1/changes?since=2000-01-01")
        #expect(listed.status == 200, "\(listed.text)")
        let tips = try #require(listed.json?["tips"] as? [[String: Any]])
        #expect(tips.count == 1)
        let tipText = try #require(tips.first?["id"] as? String)
        let envelopes = try #require(tips.first?["envelopes"] as? [[String: Any]])
        #expect(envelopes.count == 1 && envelopes[0]["seq"] as? Int == 0)
        #expect(!listed.text.contains(message))
        // A later cursor does not list it (no event or notice yet).
        let later = try benClient.send("GET", "/investigator/v1/changes?since=2999-01-01")
        #expect((later.json?["tips"] as? [Any])?.count == 0)

        // Envelope stream: TLENV framing whose lengths match the change list.
        let stream = try benClient.send("GET", "/investigator/v1/tips/\(tipText)/envelopes/0")
        #expect(stream.status == 200)
        #expect(Array(stream.body.prefix(6)) == Array("TLENV".utf8) + [1])
        let headerBytes = try #require(envelopes[0]["headerBytes"] as? Int)
        let partBytes = (envelopes[0]["parts"] as? [[String: Any]] ?? []).compactMap { $0["bytes"] as? Int }
        #expect(stream.body.count == 6 + 4 + headerBytes + 4 + partBytes.reduce(0) { $0 + 12 + $1 })

        // The tipster's reply key, read the way a client with the keyring would.
        let tip = try #require(TipID(tipText))
        let keys = try Keyring(directory: server.keyring).unlock(
            investigator: ServerUnderTest.investigator, passphrase: SecureBytes(copying: Array(ServerUnderTest.passphrase.utf8)))
        let vault = try Vault(readingFrom: server.vault, policy: .init())
        let investigation = Investigation(vault: vault, keys: keys, investigator: ServerUnderTest.investigator)
        let replyKey = try #require(try investigation.tipsterReplyKey(tip))
        let day = vault.today()
        let reply = "Thank you, please tell us more \(UUID().uuidString.prefix(6))"
        let notice = SealedBox.seal(
            InvestigatorClient.padded(#"{"day":"\#(day)","kind":"reply","text":"\#(reply)","version":2}"#), to: replyKey)
        let posted = try benClient.send("POST", "/investigator/v1/tips/\(tipText)/notices", body: notice)
        #expect(posted.status == 201, "\(posted.text)")
        #expect(posted.json?["id"] as? String == RecordDigest.id(of: notice))
        let seen = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt])
        #expect(seen.status == 200)
        let replies = try #require(seen.json?["replies"] as? [[String: Any]])
        #expect(replies.map { $0["text"] as? String } == [reply])

        // A triage event sealed to agency.pub, posted twice (a retry): stored once, and tipvault reads it.
        let agency = try #require(try Vault.agencyPublicKeys(in: server.vault).last)
        let event = SealedBox.seal(
            InvestigatorClient.padded(#"{"by":"ben","day":"\#(day)","kind":"status","tip":"\#(tipText)","value":"triaged","version":2}"#),
            to: agency)
        let once = try benClient.send("POST", "/investigator/v1/tips/\(tipText)/events", body: event)
        let twice = try benClient.send("POST", "/investigator/v1/tips/\(tipText)/events", body: event)
        #expect(once.status == 201 && once.json?["stored"] as? Bool == true)
        #expect(twice.status == 200 && twice.json?["stored"] as? Bool == false)
        #expect(once.json?["id"] as? String == twice.json?["id"] as? String)
        let after = try benClient.send("GET", "/investigator/v1/changes?since=2999-01-01")
        let entry = try #require((after.json?["tips"] as? [[String: Any]])?.first)
        #expect((entry["events"] as? [Any])?.count == 1)
        #expect((entry["notices"] as? [Any])?.count == 1)
        // Each listed record downloads by its id, byte for byte; unknown ids and other tips' do not.
        let eventID = try #require((entry["events"] as? [[String: Any]])?.first?["id"] as? String)
        let noticeID = try #require((entry["notices"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try benClient.send("GET", "/investigator/v1/tips/\(tipText)/events/\(eventID)").body == event)
        #expect(try benClient.send("GET", "/investigator/v1/tips/\(tipText)/notices/\(noticeID)").body == notice)
        #expect(try benClient.send("GET", "/investigator/v1/tips/\(tipText)/notices/\(eventID)").errorCode == "not_found")
        #expect(try benClient.send("GET", "/investigator/v1/tips/\(TipID.random().text)/events/\(eventID)").errorCode == "not_found")
        #expect(try benClient.send("GET", "/investigator/v1/tips/\(tipText)/events/XYZ").errorCode == "not_found")
        #expect(try RawConnection.exchange(port: server.investigatorPort, "GET", "/investigator/v1/tips/\(tipText)/events/\(eventID)").status == 401)
        let shown = try server.showTip(tipText)
        #expect((shown["state"] as? [String: Any])?["status"] as? String == "triaged")

        // Sizes outside FORMAT.md §11's buckets and unknown tips are refused.
        #expect(try benClient.send("POST", "/investigator/v1/tips/\(tipText)/events", body: [UInt8](repeating: 1, count: 600)).status == 422)
        #expect(try benClient.send("POST", "/investigator/v1/tips/\(TipID.random().text)/events", body: event).status == 404)

        // Purge is the admin's: afterwards the change list no longer has the tip.
        let purge = "/investigator/v1/tips/\(tipText)/purge"
        #expect(try benClient.send("POST", purge).errorCode == "admin_only")
        let purged = try admin.send("POST", purge)
        #expect(purged.status == 200, "\(purged.text)")
        #expect((try benClient.send("GET", "/investigator/v1/changes").json?["tips"] as? [Any])?.count == 0)
        #expect(try admin.send("POST", purge).status == 404)
        let gone = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt])
        #expect((gone.json?["replies"] as? [Any])?.count == 0)
    }

    @Test("removal takes effect at once, an older roster is refused, and the data dir holds no secret key")
    func rosterReplacement() throws {
        let (server, admin, benClient) = try deployment()
        let changes = "/investigator/v1/changes"
        #expect(try benClient.send("GET", changes).status == 200)
        let old = try admin.roster(1, [("ana", ana, .admin), ("ben", ben, .investigator)])
        let removed = try admin.roster(2, [("ana", ana, .admin), ("ben", ben, .revoked)])
        #expect(try admin.send("PUT", "/investigator/v1/roster", body: removed).status == 200)
        let refused = try benClient.send("GET", changes)
        #expect(refused.status == 403 && refused.errorCode == "revoked")
        let replay = try admin.send("PUT", "/investigator/v1/roster", body: old)
        #expect(replay.status == 409 && replay.errorCode == "roster_refused")
        let forged = try InvestigatorClient(port: server.investigatorPort, key: eve).roster(3, [("eve", eve, .admin)])
        let byStranger = try admin.send("PUT", "/investigator/v1/roster", body: forged)
        #expect(byStranger.status == 403 && byStranger.errorCode == "roster_refused")
        #expect(try admin.send("PUT", "/investigator/v1/roster", body: Array("tipline-roster-v1\n".utf8)).status == 400)

        // The stored roster survives a restart; ben stays removed.
        try server.restart()
        let again = InvestigatorClient(port: server.investigatorPort, key: ben)
        #expect(try again.send("GET", changes).status == 403)
        let stored = try Data(contentsOf: server.vault.appendingPathComponent("roster.signed"))
        #expect([UInt8](stored) == removed)
        _ = server.stop()

        // No secret half of any test key anywhere in the server's files (seed = first 32 bytes
        // of libsodium's secret key).
        for (path, bytes) in ServerUnderTest.files(under: server.vault) + ServerUnderTest.files(under: server.tmp) {
            for key in [ana, ben] {
                let seed = [UInt8](repeating: key === ana ? 0xA1 : 0xB2, count: 32)
                #expect(!bytes.contains(bytes: seed), "\(path) holds a secret key seed")
            }
        }
    }
}
