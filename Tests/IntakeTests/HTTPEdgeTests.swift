import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 10, item 13: HTTP edges found with raw sockets, each pinned by the exact status line
/// the server writes first.
@Suite("Intake HTTP edges", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct HTTPEdgeTests {
    /// Everything the server sends until it closes (or `seconds` pass), and whether it closed.
    static func readUntilClose(_ c: RawConnection, seconds: Double) -> (bytes: [UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var p = pollfd(fd: c.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            var b = [UInt8](repeating: 0, count: 65536)
            let n = b.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, 65536, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                bytes += b[0..<n]
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                return (bytes, true)
            }
        }
        return (bytes, false)
    }

    static func firstLine(_ bytes: [UInt8]) -> String {
        guard let end = RawConnection.find([13, 10], in: bytes) else { return String(decoding: bytes.prefix(80), as: UTF8.self) }
        return String(decoding: bytes[0..<end], as: UTF8.self)
    }

    static func body(_ bytes: [UInt8]) -> String {
        guard let end = RawConnection.find([13, 10, 13, 10], in: bytes) else { return "" }
        return String(decoding: bytes[(end + 4)...], as: UTF8.self)
    }

    /// A multipart POST head (no body bytes) with the given extra header lines.
    static func head(_ path: String, length: String, extra: [String] = [], version: String = "HTTP/1.1") -> [UInt8] {
        var text = "POST \(path) \(version)\r\nHost: tipline.test\r\nContent-Type: multipart/form-data; boundary=XYZ\r\n"
        text += "Content-Length: \(length)\r\n"
        for line in extra { text += line + "\r\n" }
        return Array((text + "\r\n").utf8)
    }

    @Test("a Content-Length of 2^63 or more is 413 at once, takes no upload slot, and the connection closes")
    func hugeContentLength() throws {
        var policy = TestPolicy.small
        policy.maxConcurrentUploads = 1
        let server = try ServerUnderTest(policy: policy)
        for length in ["9223372036854775808", "18446744073709551615"] {
            let c = try RawConnection(port: server.port, timeout: 5)
            let started = Date()
            try c.send(Self.head("/api/v1/tips", length: length))
            let (bytes, closed) = Self.readUntilClose(c, seconds: 5)
            #expect(Self.firstLine(bytes) == "HTTP/1.1 413 Payload Too Large", "Content-Length \(length)")
            #expect(Self.body(bytes).contains("request_too_large"))
            #expect(closed && Date().timeIntervalSince(started) < 4, "closed after the answer")
        }
        let png = try Fixtures.plainPNG(in: server.work)
        #expect(try server.submit(.tip(message: "after the huge ones", files: [("a.png", png)])).status == 201, "the one slot is free")
        try BadInputTests.expectIntact(server, tips: 1)
    }

    @Test("Expect: 100-continue over the request limit gets 413 without 100 Continue; within it, 100 Continue first")
    func expectContinue() throws {
        let server = try ServerUnderTest(policy: .small)  // 500 000-byte requests
        let over = try RawConnection(port: server.port, timeout: 5)
        try over.send(Self.head("/api/v1/tips", length: "500001", extra: ["Expect: 100-continue"]))
        let (refused, _) = Self.readUntilClose(over, seconds: 3)
        #expect(Self.firstLine(refused) == "HTTP/1.1 413 Payload Too Large")
        #expect(!String(decoding: refused, as: UTF8.self).contains("100 Continue"))

        let within = try RawConnection(port: server.port, timeout: 5)
        try within.send(Self.head("/api/v1/tips", length: "500000", extra: ["Expect: 100-continue"]))
        let first = try #require(try within.receiveSome())
        #expect(Self.firstLine(first) == "HTTP/1.1 100 Continue")
    }

    @Test("an HTTP/1.0 request without keep-alive is closed right after its answer; keep-alive ones stay open")
    func http10Closes() throws {
        let server = try ServerUnderTest(policy: .small)  // header timeout 10 s
        let plain = try RawConnection(port: server.port, timeout: 5)
        try plain.send("GET / HTTP/1.0\r\nHost: tipline.test\r\n\r\n")
        let started = Date()
        let (bytes, closed) = Self.readUntilClose(plain, seconds: 4)
        #expect(Self.firstLine(bytes) == "HTTP/1.1 200 OK")
        #expect(closed && Date().timeIntervalSince(started) < 2, "closed after the answer, not at the header timeout")

        for request in ["GET / HTTP/1.0\r\nHost: tipline.test\r\nConnection: keep-alive\r\n\r\n", "GET / HTTP/1.1\r\nHost: tipline.test\r\n\r\n"] {
            let kept = try RawConnection(port: server.port, timeout: 5)
            try kept.send(request)
            let (answer, closedToo) = Self.readUntilClose(kept, seconds: 1.5)
            #expect(Self.firstLine(answer) == "HTTP/1.1 200 OK")
            #expect(!closedToo, "keep-alive stays open: \(request.prefix(16))")
        }
    }

    @Test("multipart: an unterminated quote, a duplicate field, too many parts: 400 and nothing stored")
    func multipartEdges() throws {
        let server = try ServerUnderTest(policy: .small)
        func post(_ body: String) throws -> RawResponse {
            try BadInputTests.post(server, contentType: "multipart/form-data; boundary=XYZ", Array(body.utf8))
        }
        let open = try post("--XYZ\r\nContent-Disposition: form-data; name=\"message\r\n\r\nhello\r\n--XYZ--\r\n")
        #expect(open.status == 400)
        #expect(open.errorCode == "malformed_request")
        #expect(open.errorMessage?.contains("quote") == true, "\(open.text)")

        let twice = try post(
            "--XYZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nfirst\r\n"
                + "--XYZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nsecond\r\n--XYZ--\r\n")
        #expect(twice.status == 400)
        #expect(twice.errorCode == "malformed_request")
        #expect(twice.errorMessage?.contains("“message”") == true, "names the field: \(twice.text)")

        var many = "--XYZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n"
        for _ in 0..<200 { many += "--XYZ\r\nContent-Disposition: form-data; name=\"attachments\"\r\n\r\n\r\n" }
        let flood = try post(many + "--XYZ--\r\n")
        #expect(flood.status == 400)
        #expect(flood.errorCode == "malformed_request")
        #expect(flood.errorMessage?.contains("parts") == true, "\(flood.text)")

        let lookup = try RawConnection.postForm(port: server.port, "/followup", [("receipt", "A"), ("receipt", "B")])
        #expect(lookup.status == 400)
        try BadInputTests.expectIntact(server)
        // Item 10 on the real binary: none of these refused bodies cost an Argon2id run.
        #expect(server.stop() == 0)
        #expect(server.stderrText.contains("look-ups 0, derivations 0,"), "\(server.stderrText.suffix(400))")
    }
}
