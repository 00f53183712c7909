import Foundation
import Testing

/// Issue 10, item 13 (the flood): 5,000 wrong receipts from 50 connections (guessers that hang
/// up after 2.5 s and try again) must not queue ahead of a tipster who knows theirs. Look-ups beyond what the derivation slots can serve
/// soon are refused at once (429 + Retry-After) instead of waiting, so every answer comes
/// quickly and the tipster, retrying as told, gets through while the budget holds.
@Suite("Intake receipt flood", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct ReceiptFloodTests {
    @Test("under a flood of wrong receipts from 50 connections, each of 5 real look-ups gets its 200 within 10 s, median under 5 s")
    func legitimateLookupGetsThrough() throws {
        var policy = TestPolicy()
        policy.argon2Ops = 2
        policy.argon2Mem = 16 * 1024 * 1024  // a real cost: each derivation takes tens of ms
        policy.receiptAttemptsPerMinute = 100_000  // the budget holds: this is about queueing
        let server = try ServerUnderTest(policy: policy)
        let tip = try server.submit(.tip(message: "flood target"))
        #expect(tip.status == 201)
        let receipt = try #require(tip.json?["receipt"] as? String)

        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var statuses: [Int: Int] = [:]
            var slowest = 0.0
            var stop = false
            var stopped: Bool {
                lock.lock()
                defer { lock.unlock() }
                return stop
            }
            func add(_ status: Int, _ seconds: Double) {
                lock.lock()
                statuses[status, default: 0] += 1
                slowest = max(slowest, seconds)
                lock.unlock()
            }
        }
        let tally = Tally()
        let group = DispatchGroup()
        let port = server.port
        for _ in 0..<50 {
            group.enter()
            Thread {
                for _ in 0..<100 where !tally.stopped {
                    // A guesser does not wait long: after 2.5 s it hangs up and tries the next
                    // receipt, so a server that queues would pile up abandoned derivations.
                    let t0 = Date()
                    let body = Array(#"{"receipt": "\#(Fixtures.randomReceipt())"}"#.utf8)
                    let status =
                        (try? {
                            let c = try RawConnection(port: port, timeout: 2.5)
                            defer { c.close() }
                            try c.send(RawRequest.bytes("POST", "/api/v1/followup", headers: [("Content-Type", "application/json")], body: body))
                            return try c.readResponse().status
                        }()) ?? -1
                    tally.add(status, Date().timeIntervalSince(t0))
                }
                group.leave()
            }.start()
        }
        Thread.sleep(forTimeInterval: 2)  // the flood is in full swing

        // Five look-ups with the real receipt, one after another, each retrying as told.
        var tookEach: [Double] = []
        var attempts: [(status: Int, seconds: Double)] = []
        var answers: [RawResponse] = []
        for _ in 0..<5 {
            let started = Date()
            while Date().timeIntervalSince(started) < 30 {
                let t0 = Date()
                let r = try RawConnection.postJSON(port: port, "/api/v1/followup", ["receipt": receipt])
                attempts.append((r.status, Date().timeIntervalSince(t0)))
                if r.status != 429 {
                    answers.append(r)
                    break
                }
                Thread.sleep(forTimeInterval: Double(Int(r.header("Retry-After") ?? "") ?? 1))
            }
            tookEach.append(Date().timeIntervalSince(started))
            Thread.sleep(forTimeInterval: 1)
        }
        tally.lock.lock()
        tally.stop = true
        let guesses = tally.statuses.values.reduce(0, +)
        tally.lock.unlock()
        group.wait()
        let report =
            "took \(tookEach.map { String(format: "%.2f", $0) }) s over \(attempts.count) attempts; "
            + "\(guesses) guesses meanwhile: \(tally.statuses), slowest \(tally.slowest) s"
        print("receipt flood: \(report)")
        #expect(answers.count == 5 && answers.allSatisfy { $0.status == 200 }, "\(report)")
        #expect(answers.allSatisfy { $0.json?["status"] as? String == "received" })
        // Fair share: with 50 guessers waiting beside it, a look-up drawn at random gets about
        // 1/51 of the slots; at the test's cost that is a couple of seconds on average.
        #expect(tookEach.allSatisfy { $0 < 10 }, "\(report)")
        #expect(tookEach.sorted()[2] < 5, "median under 5 s: \(report)")
        #expect(guesses >= 200, "the flood was running: \(report)")
        #expect((tally.statuses[429] ?? 0) > 0 && (tally.statuses[200] ?? 0) > 0, "\(report)")
        #expect(tally.statuses.keys.allSatisfy { [200, 429, -1].contains($0) }, "\(report)")
    }

    @Test("a follow-up with files while the look-up budget is spent gets its 429 before the files are sent, nothing stored")
    func spentBudgetRefusesBeforeTheFiles() throws {
        var policy = TestPolicy()
        policy.receiptAttemptsPerMinute = 2
        let server = try ServerUnderTest(policy: policy)
        let tip = try server.submit(.tip(message: "budget target"))
        let receipt = try #require(tip.json?["receipt"] as? String)
        for _ in 0..<2 { #expect(try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": receipt]).status == 200) }

        // The receipt field, then the first 64 kB of a 2 MB file; the rest is never sent.
        var m = MultipartBody()
        m.field("receipt", receipt)
        m.field("message", "more")
        m.file("scan.bin", [UInt8](repeating: 0x5A, count: 2_000_000))
        let request = RawRequest.bytes("POST", "/api/v1/followup/messages", headers: [("Content-Type", m.contentType)], body: m.bytes)
        let c = try RawConnection(port: server.port, timeout: 5)
        let t0 = Date()
        try c.send(Array(request.prefix(RawConnection.find(Array("scan.bin".utf8), in: request)! + 65_536)))
        let refused = try c.readResponse()
        Contract.expectError(refused, 429, "over_budget")
        #expect(refused.header("Retry-After") != nil)
        #expect(Date().timeIntervalSince(t0) < 3, "answered while the upload was still open")
        c.close()
        #expect(try server.get("/").status == 200)
        #expect(try server.tipCount() == 1)
        #expect(try VaultInspector.waitForNoLeftovers(in: server.vault) == .init(orphanChunks: 0, uploads: 0))
    }
}
