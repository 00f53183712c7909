import Foundation
import Testing

/// Every kind of response carries the contract's security headers exactly, and never a cookie.
@Suite("Intake security headers", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct SecurityHeaderTests {
    @Test("pages, API answers, CSS, 404s and every error status carry the exact security headers and no Set-Cookie")
    func everyResponse() throws {
        var policy = TestPolicy.small
        policy.receiptAttemptsPerMinute = 2
        let server = try ServerUnderTest(policy: policy)
        let port = server.port
        let png = try Fixtures.plainPNG(in: server.work)
        var responses: [(String, RawResponse)] = []
        responses.append(("GET /", try server.get("/")))
        responses.append(("GET /style.css", try server.get("/style.css")))
        responses.append(("GET /followup", try server.get("/followup")))
        responses.append(("GET /nope", try server.get("/nope")))
        responses.append(("GET /api/v1/nope", try server.get("/api/v1/nope")))
        let page = try server.submit(.tip(message: "page tip", files: [("a.png", png)]), path: "/tips")
        responses.append(("POST /tips", page))
        let api = try server.submit(.tip(message: "api tip", files: [("a.png", png)]))
        responses.append(("POST /api/v1/tips", api))
        let receipt = api.json?["receipt"] as? String ?? Fixtures.randomReceipt()
        responses.append(("POST /api/v1/followup", try RawConnection.postJSON(port: port, "/api/v1/followup", ["receipt": receipt])))
        responses.append(("POST /followup", try RawConnection.postForm(port: port, "/followup", [("receipt", receipt)])))
        responses.append(("429", try RawConnection.postJSON(port: port, "/api/v1/followup", ["receipt": receipt])))
        responses.append(("422", try server.submit(.tip(message: "x", category: "nonsense"))))
        responses.append(
            ("400", try RawConnection.exchange(port: port, "POST", "/api/v1/tips", headers: [("Content-Type", "text/plain")], body: Array("hi".utf8)))
        )
        responses.append(
            (
                "413",
                try RawConnection.exchange(
                    port: port, "POST", "/api/v1/tips", headers: [("Content-Type", "multipart/form-data; boundary=x")],
                    body: [UInt8](repeating: 65, count: 600_000))
            ))
        responses.append(("415", try server.submit(.tip(message: "x", files: [("t.png", Array("not a png".utf8))]))))

        #expect(responses.map { $0.1.status } == [200, 200, 200, 404, 404, 200, 201, 200, 200, 429, 422, 400, 413, 415])
        for (what, r) in responses { Contract.expectSecurityHeaders(r, what) }
    }

    @Test("the 400 Hummingbird writes itself for a request it cannot parse carries the security headers too")
    func frameworkBadRequest() throws {
        let server = try ServerUnderTest(policy: .small)
        let garbage: [(String, String)] = [
            ("malformed request line", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n"),
            ("malformed header", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
        ]
        for (what, request) in garbage {
            let c = try RawConnection(port: server.port, timeout: 10)
            defer { c.close() }
            try c.send(request)
            let r = try c.readResponse()
            #expect(r.status == 400, "\(what)")
            Contract.expectSecurityHeaders(r, what)
        }
    }
}
