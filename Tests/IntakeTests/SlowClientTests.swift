import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// 200 slowloris clients at once: half never finish their headers, half finish headers then
/// send a body byte only every 3 s. With 2 s header and body-idle timeouts all are cut off,
/// while an ordinary tip sent in the middle of it is stored.
@Suite("Intake slow clients", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct SlowClientTests {
    final class Slow {
        let connection: RawConnection
        let bytes: [UInt8]
        let interval: Double
        var sent = 0
        var nextSend: Date
        var closedAfter: Double?
        init(_ c: RawConnection, bytes: [UInt8], interval: Double, initial: Int) throws {
            connection = c
            self.bytes = bytes
            self.interval = interval
            if initial > 0 { try c.send(Array(bytes.prefix(initial))) }
            sent = initial
            nextSend = Date().addingTimeInterval(interval)
        }
    }

    @Test("200 slow clients are disconnected by the header and body-idle timeouts while a normal tip gets through")
    func slowloris() throws {
        var policy = TestPolicy.small
        policy.headerTimeoutSeconds = 2
        policy.bodyIdleTimeoutSeconds = 2
        policy.maxConcurrentUploads = 1000
        let server = try ServerUnderTest(policy: policy)
        let png = try Fixtures.plainPNG(in: server.work)
        let body = MultipartBody.tip(message: "slow body", files: [("a.png", png)])
        let slowHeaders = Array("POST /api/v1/tips HTTP/1.1\r\nHost: tipline.test\r\nX-Padding: \(String(repeating: "a", count: 400))\r\n\r\n".utf8)
        let slowBody = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", body.contentType)], body: body.bytes)
        let headEnd = RawConnection.find([13, 10, 13, 10], in: slowBody)! + 4

        let start = Date()
        var clients: [Slow] = []
        for i in 0..<200 {
            let c = try RawConnection(port: server.port, timeout: 5)
            if i % 2 == 0 {
                clients.append(try Slow(c, bytes: slowHeaders, interval: 0.2, initial: 1))
            } else {
                clients.append(try Slow(c, bytes: slowBody, interval: 3.0, initial: headEnd + 10))
            }
        }

        // The ordinary tip, from another thread, half a second into the attack.
        final class Outcome: @unchecked Sendable { var response: Result<RawResponse, Error>?; var seconds = 0.0 }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let port = server.port
        Thread {
            Thread.sleep(forTimeInterval: 0.5)
            let t0 = Date()
            outcome.response = Result {
                try RawConnection.postMultipart(port: port, "/api/v1/tips", .tip(message: "normal tip", files: [("b.png", png)]))
            }
            outcome.seconds = Date().timeIntervalSince(t0)
            done.signal()
        }.start()

        while Date().timeIntervalSince(start) < 12 && clients.contains(where: { $0.closedAfter == nil }) {
            for s in clients where s.closedAfter == nil {
                let fd = s.connection.fd
                var p = pollfd(fd: fd, events: Int16(POLLIN) | RawConnection.pollReadHangUpValue, revents: 0)
                if poll(&p, 1, 0) > 0 {
                    var b = [UInt8](repeating: 0, count: 4096)
                    let n = b.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, Int32(MSG_DONTWAIT)) }
                    if n == 0 || (n < 0 && errno != EAGAIN) || p.revents & (RawConnection.pollReadHangUpValue | Int16(POLLHUP) | Int16(POLLERR)) != 0
                    {
                        s.closedAfter = Date().timeIntervalSince(start)
                        continue
                    }
                }
                if Date() >= s.nextSend && s.sent < s.bytes.count - 1 {
                    let n = s.bytes[s.sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                    if n < 0 && errno != EAGAIN { s.closedAfter = Date().timeIntervalSince(start); continue }
                    if n > 0 { s.sent += 1 }
                    s.nextSend = Date().addingTimeInterval(s.interval)
                }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        done.wait()

        let open = clients.filter { $0.closedAfter == nil }.count
        #expect(open == 0, "\(open) slow clients were never disconnected")
        let latest = clients.compactMap(\.closedAfter).max() ?? 99
        #expect(latest < 8, "the last slow client went after \(latest) s")
        let normal = try #require(try? outcome.response?.get())
        #expect(normal.status == 201, "\(normal.text.prefix(300))")
        #expect(outcome.seconds < 5, "the normal tip took \(outcome.seconds) s")
        for c in clients { c.connection.close() }
        try BadInputTests.expectIntact(server, tips: 1)
    }
}
