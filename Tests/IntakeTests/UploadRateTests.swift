import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 10, item 9: a byte now and then re-arms the body idle timer, so tricklers could hold
/// every upload slot forever. Past the grace period a body must average the policy's minimum
/// rate: tricklers get 408 and lose their slots, while a real tip (and a slow but honest one)
/// gets through.
@Suite("Intake minimum upload rate", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct UploadRateTests {
    @Test("3 tricklers holding all 3 slots are cut off with 408 after the 2 s grace; a real tip then succeeds")
    func tricklersLoseTheirSlots() throws {
        var policy = TestPolicy.small
        policy.maxConcurrentUploads = 4
        policy.minUploadBytesPerSecond = 2000
        policy.uploadRateGraceSeconds = 2
        policy.bodyIdleTimeoutSeconds = 30  // the idle timer alone would hold them 30 s
        let server = try ServerUnderTest(policy: policy)
        let png = try Fixtures.plainPNG(in: server.work)
        let body = MultipartBody.tip(message: "trickled", files: [("a.png", png)])
        let request = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", body.contentType)], body: body.bytes)
        let headEnd = RawConnection.find([13, 10, 13, 10], in: request)! + 4

        let start = Date()
        let tricklers = try (0..<3).map { _ in try RawConnection(port: server.port, timeout: 5) }
        for c in tricklers { try c.send(Array(request.prefix(headEnd + 10))) }
        // The fourth slot: an honest slow upload of a 160 kB photo at about 50 kB/s for 3 s.
        let photo = try Fixtures.noiseJPEG(in: server.work, side: 300)
        let honestBody = MultipartBody.tip(message: "slow but honest", files: [("p.jpg", photo)])
        let honestRequest = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", honestBody.contentType)], body: honestBody.bytes)
        let honest = try RawConnection(port: server.port, timeout: 10)
        let pieces = stride(from: 0, to: honestRequest.count, by: 16000).map {
            Array(honestRequest[$0..<min($0 + 16000, honestRequest.count)])
        }
        final class Box: @unchecked Sendable { var result: Result<RawResponse, Error>? }
        let honestBox = Box()
        let honestDone = DispatchSemaphore(value: 0)
        Thread {
            honestBox.result = honest.sendWhileReading(AnyIterator(pieces.makeIterator()), pause: 0.3)
            honestDone.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.5)
        let refused = try server.submit(.tip(message: "while all slots are held", files: [("b.png", png)]))
        #expect(refused.status == 429, "all slots held: \(refused.status)")

        var answers = [[UInt8]](repeating: [], count: tricklers.count)
        var closedAt = [Double?](repeating: nil, count: tricklers.count)
        var sent = [Int](repeating: headEnd + 10, count: tricklers.count)
        while Date().timeIntervalSince(start) < 10 && closedAt.contains(where: { $0 == nil }) {
            for (i, c) in tricklers.enumerated() where closedAt[i] == nil {
                let (bytes, closed) = HTTPEdgeTests.readUntilClose(c, seconds: 0.01)
                answers[i] += bytes
                if closed {
                    closedAt[i] = Date().timeIntervalSince(start)
                    continue
                }
                // One byte every 0.25 s: 4 B/s, far below 2000 B/s, far inside the idle timeout.
                let n = request[sent[i]...].withUnsafeBytes { Glibc.send(c.fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n > 0 { sent[i] += 1 }
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
        for i in tricklers.indices {
            let at = try #require(closedAt[i], "trickler \(i) was never cut off")
            #expect(at >= 1.9 && at < 5, "trickler \(i) cut off after \(at) s (grace 2 s)")
            #expect(HTTPEdgeTests.firstLine(answers[i]) == "HTTP/1.1 408 Request Timeout", "trickler \(i)")
        }
        let real = try server.submit(.tip(message: "after the tricklers", files: [("c.png", png)]))
        #expect(real.status == 201, "\(real.text.prefix(200))")
        honestDone.wait()
        let slow = try #require(try honestBox.result?.get())
        #expect(slow.status == 201, "the honest slow upload: \(slow.text.prefix(200))")
        try BadInputTests.expectIntact(server, tips: 2)
    }
}
