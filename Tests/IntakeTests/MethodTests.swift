import Foundation
import Testing

/// A known address asked with a method it does not take is 405 with `Allow`, in the contract's
/// error shape; unknown addresses stay 404; HEAD is answered wherever GET is, without a body.
@Suite("Intake methods", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct MethodTests {
    /// The whole answer to one request on a fresh connection, read to its close, so a body
    /// sent after a HEAD answer's head would be seen.
    static func rawExchange(port: Int, _ method: String, _ path: String) throws -> (RawResponse, [UInt8]) {
        let c = try RawConnection(port: port, timeout: 10)
        defer { c.close() }
        try c.send(RawRequest.bytes(method, path))
        var bytes: [UInt8] = []
        while let more = try c.receiveSome() { bytes += more }
        guard let end = RawConnection.find([13, 10, 13, 10], in: bytes) else {
            throw RawConnection.Failure(description: "\(method) \(path): no complete response head")
        }
        return (try RawResponse(head: String(decoding: bytes[0..<end], as: UTF8.self)), Array(bytes[(end + 4)...]))
    }

    @Test("a known path with a method it does not take is 405 with Allow, as an HTML page or a JSON error; unknown paths stay 404")
    func methodNotAllowed() throws {
        let server = try ServerUnderTest(policy: .small)
        let port = server.port
        let api: [(String, String, String)] = [
            ("DELETE", "/api/v1/tips", "POST"), ("GET", "/api/v1/tips", "POST"), ("PUT", "/api/v1/followup", "POST"),
            ("GET", "/api/v1/followup/messages", "POST"),
        ]
        for (method, path, allow) in api {
            let r = try RawConnection.exchange(port: port, method, path)
            Contract.expectError(r, 405, "method_not_allowed")
            #expect(r.header("Allow") == allow, "\(method) \(path)")
            Contract.expectSecurityHeaders(r, "\(method) \(path)")
        }
        let pages: [(String, String, String)] = [
            ("TRACE", "/", "GET, HEAD"), ("POST", "/", "GET, HEAD"), ("PUT", "/tips", "POST"), ("GET", "/tips", "POST"),
            ("DELETE", "/followup", "GET, HEAD, POST"), ("POST", "/style.css", "GET, HEAD"),
        ]
        for (method, path, allow) in pages {
            let r = try RawConnection.exchange(port: port, method, path)
            #expect(r.status == 405, "\(method) \(path)")
            #expect(r.header("Allow") == allow, "\(method) \(path)")
            #expect(r.header("Content-Type") == "text/html; charset=utf-8", "\(method) \(path)")
            #expect(r.text.contains("<h1>"), "\(method) \(path): an error page")
            Contract.expectSecurityHeaders(r, "\(method) \(path)")
        }
        for (method, path) in [("TRACE", "/nope"), ("PUT", "/api/v1/nope"), ("GET", "/tips/x")] {
            let r = try RawConnection.exchange(port: port, method, path)
            #expect(r.status == 404, "\(method) \(path)")
            #expect(r.header("Allow") == nil, "\(method) \(path)")
        }
    }

    @Test("HEAD is answered wherever GET is 200: the GET's status and headers, no body; HEAD elsewhere has no body either")
    func head() throws {
        let server = try ServerUnderTest(policy: .small)
        for path in ["/", "/style.css", "/followup"] {
            let get = try server.get(path)
            let (head, body) = try Self.rawExchange(port: server.port, "HEAD", path)
            #expect(get.status == 200 && head.status == 200, "HEAD \(path)")
            #expect(body.isEmpty, "HEAD \(path) sent \(body.count) body bytes")
            let names = Set(get.headers.map { $0.name.lowercased() }).subtracting(["date"])
            for name in names {
                #expect(head.headers(named: name) == get.headers(named: name), "HEAD \(path): \(name)")
            }
            #expect(head.header("Content-Length") == String(get.body.count), "HEAD \(path): the GET's length")
            Contract.expectSecurityHeaders(head, "HEAD \(path)")
        }
        for (path, status) in [("/nope", 404), ("/tips", 405)] {
            let (r, body) = try Self.rawExchange(port: server.port, "HEAD", path)
            #expect(r.status == status, "HEAD \(path)")
            #expect(body.isEmpty, "HEAD \(path) sent \(body.count) body bytes")
        }
    }
}
