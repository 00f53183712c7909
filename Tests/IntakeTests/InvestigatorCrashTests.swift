import Foundation
import Synchronization
import Testing
import TiplineCrypto
import TiplineVault

/// The investigator service killed with SIGKILL while two investigators post sealed records
/// (issue 11): after the restart every acknowledged record is there exactly once and whole,
/// and sending everything again (what a client does after a lost answer) stores nothing twice.
@Suite("Investigator service under kill -9", .serialized)
struct InvestigatorCrashTests {
    let admin = InvestigatorClient.key(0xA1)
    let ben = InvestigatorClient.key(0xB2)

    @Test("kill -9 mid-posting: every acknowledged event survives once, whole; resending stores only what was lost")
    func killWhilePosting() throws {
        let server = try ServerUnderTest(adminKeys: [admin.publicKey.text])
        let roster = try InvestigatorClient(port: server.investigatorPort, key: admin).roster(
            1, [("admin", admin, .admin), ("ben", ben, .investigator)])
        #expect(try InvestigatorClient(port: server.investigatorPort, key: admin).send("PUT", "/investigator/v1/roster", body: roster).status == 200)
        #expect(try server.submit(MultipartBody.tip(message: "crash test tip")).status == 201)
        let listed = try InvestigatorClient(port: server.investigatorPort, key: ben).send("GET", "/investigator/v1/changes")
        let tip = try #require((listed.json?["tips"] as? [[String: Any]])?.first?["id"] as? String)
        let agency = try #require(try Vault.agencyPublicKeys(in: server.vault).last)
        let day = try Vault(readingFrom: server.vault, policy: .init()).today()

        // 2 × 150 distinct events; each poster records the ids the server acknowledged.
        func event(_ poster: String, _ n: Int) -> [UInt8] {
            SealedBox.seal(
                InvestigatorClient.padded(
                    #"{"by":"\#(poster)","day":"\#(day)","kind":"note","tip":"\#(tip)","value":"note \#(n) from \#(poster)","version":2}"#),
                to: agency)
        }
        let batches = ["admin", "ben"].map { poster in (0..<150).map { event(poster, $0) } }
        let acknowledged = Mutex([String]())
        let port = server.investigatorPort
        let posters = batches.enumerated().map { index, batch in
            Thread {
                let client = InvestigatorClient(port: port, key: index == 0 ? admin : ben)
                for sealed in batch {
                    guard let answer = try? client.send("POST", "/investigator/v1/tips/\(tip)/events", body: sealed),
                        answer.status == 201 || answer.status == 200, let id = answer.json?["id"] as? String
                    else { return }  // the server is gone: the rest is "not sent"
                    acknowledged.withLock { $0.append(id) }
                }
            }
        }
        posters.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(120)
        while acknowledged.withLock({ $0.count }) < 40, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        kill(server.pid, SIGKILL)
        while posters.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.01) }
        let acked = Set(acknowledged.withLock { $0 })
        #expect(acked.count >= 40)
        #expect(acked.count < 300, "the kill landed after every post; the test proves nothing")

        try server.restart()
        let client = InvestigatorClient(port: server.investigatorPort, key: ben)
        func storedIDs() throws -> [String] {
            let changes = try client.send("GET", "/investigator/v1/changes")
            let entry = try #require((changes.json?["tips"] as? [[String: Any]])?.first { $0["id"] as? String == tip })
            return (entry["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        let afterCrash = try storedIDs()
        #expect(Set(afterCrash).count == afterCrash.count, "a record is stored twice")
        #expect(acked.isSubset(of: Set(afterCrash)), "an acknowledged record was lost")
        for id in afterCrash {
            let bytes = try client.send("GET", "/investigator/v1/tips/\(tip)/events/\(id)").body
            #expect(RecordDigest.id(of: bytes) == id, "a stored record is torn")
        }

        // The clients resend everything: acknowledged records are 200 "already stored".
        var stored = 0
        for (index, batch) in batches.enumerated() {
            let resender = InvestigatorClient(port: server.investigatorPort, key: index == 0 ? admin : ben)
            for sealed in batch {
                let answer = try resender.send("POST", "/investigator/v1/tips/\(tip)/events", body: sealed)
                let id = try #require(answer.json?["id"] as? String, "\(answer.text)")
                if acked.contains(id) { #expect(answer.status == 200 && answer.json?["stored"] as? Bool == false) }
                if answer.status == 201 { stored += 1 }
            }
        }
        let final = try storedIDs()
        #expect(final.count == 300 && Set(final).count == 300)
        #expect(stored == 300 - afterCrash.count)
        // tipvault opens every one of them on the restarted server's vault.
        let shown = try server.investigate(["show", tip, "--json"])
        let events = try #require((try JSONSerialization.jsonObject(with: Data(shown.out.utf8)) as? [String: Any])?["events"] as? [Any])
        #expect(events.count == 300, "\(shown.err)")
    }
}
