import Foundation
import Testing

/// Each broken or hostile submission gets its exact status and error code, the server keeps
/// serving, and nothing of the submission is stored: no tip, no orphan chunk, no open upload,
/// nothing in the server's TMPDIR.
@Suite("Intake bad input", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct BadInputTests {
    /// The server still answers, the vault holds `tips` tips and no leftovers.
    static func expectIntact(_ server: ServerUnderTest, tips: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try server.get("/").status == 200, "still serving", sourceLocation: sourceLocation)
        #expect(try VaultInspector.waitForNoLeftovers(in: server.vault) == .init(orphanChunks: 0, uploads: 0), sourceLocation: sourceLocation)
        #expect(try server.tipCount() == tips, "tips stored", sourceLocation: sourceLocation)
        #expect(ServerUnderTest.files(under: server.tmp).map(\.path) == [], "nothing left in the server's TMPDIR", sourceLocation: sourceLocation)
    }

    static func post(_ server: ServerUnderTest, contentType: String, _ body: [UInt8], path: String = "/api/v1/tips") throws -> RawResponse {
        try RawConnection.exchange(port: server.port, "POST", path, headers: [("Content-Type", contentType)], body: body)
    }

    @Test("malformed multipart, missing boundary, a stream without its closing boundary, wrong content types: 400 malformed_request")
    func malformedRequests() throws {
        let server = try ServerUnderTest(policy: .small)
        let png = try Fixtures.plainPNG(in: server.work)
        let garbage = try Self.post(server, contentType: "multipart/form-data; boundary=XYZ", Array("this is not multipart at all\r\n".utf8))
        Contract.expectError(garbage, 400, "malformed_request")
        let noDisposition = try Self.post(
            server, contentType: "multipart/form-data; boundary=XYZ", Array("--XYZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XYZ--\r\n".utf8))
        Contract.expectError(noDisposition, 400, "malformed_request")
        let body = MultipartBody.tip(message: "boundary?", files: [("a.png", png)])
        Contract.expectError(try Self.post(server, contentType: "multipart/form-data", body.bytes), 400, "malformed_request")
        Contract.expectError(try Self.post(server, contentType: body.contentType, body.withoutClosingBoundary), 400, "malformed_request")
        Contract.expectError(try Self.post(server, contentType: "application/json", Array(#"{"message":"hi"}"#.utf8)), 400, "malformed_request")
        Contract.expectError(try Self.post(server, contentType: body.contentType, body.bytes, path: "/api/v1/followup"), 400, "malformed_request")
        Contract.expectError(
            try Self.post(server, contentType: "application/json", Array(#"{"receipt": "#.utf8), path: "/api/v1/followup"), 400, "malformed_request")
        try Self.expectIntact(server)
    }

    @Test("a 0-byte file, a text file named .jpg and a truncated JPEG: 415 unsupported_file naming the file")
    func unsupportedFiles() throws {
        let server = try ServerUnderTest(policy: .small)
        let jpeg = try Fixtures.noiseJPEG(in: server.work, side: 120)
        let png = try Fixtures.plainPNG(in: server.work)
        let cases: [(String, [UInt8])] = [
            ("empty.jpg", []), ("notes.jpg", Array("Meet me at the dock at nine.\n".utf8)), ("cut.jpg", Array(jpeg.prefix(jpeg.count / 2))),
        ]
        for (name, bytes) in cases {
            // A good file first, so a half-written tip would have chunks to leave behind.
            let r = try server.submit(.tip(message: "look at this", files: [("good.png", png), (name, bytes)]))
            Contract.expectError(r, 415, "unsupported_file", file: name)
        }
        try Self.expectIntact(server)
    }

    @Test("one file over the attachment limit: 413 attachment_too_large naming it; too many files: 413 too_many_attachments")
    func attachmentLimits() throws {
        let server = try ServerUnderTest(policy: .small)
        let png = try Fixtures.plainPNG(in: server.work)
        let big = try Fixtures.noiseJPEG(in: server.work, side: 400)
        #expect(big.count > 200_000 && big.count < 500_000)
        Contract.expectError(
            try server.submit(.tip(message: "big", files: [("ok.png", png), ("big.jpg", big)])), 413, "attachment_too_large", file: "big.jpg")
        let four = (1...4).map { ("p\($0).png", png) }
        Contract.expectError(try server.submit(.tip(message: "many", files: four)), 413, "too_many_attachments")
        try Self.expectIntact(server)
        // Exactly at the limits is fine.
        let three = (1...3).map { ("p\($0).png", png) }
        #expect(try server.submit(.tip(message: "three", files: three)).status == 201)
        try Self.expectIntact(server, tips: 1)
    }

    @Test("a body over max_request_bytes: 413 request_too_large from Content-Length up front, and when streamed chunked")
    func requestTooLarge() throws {
        let server = try ServerUnderTest(policy: .small)
        // Content-Length alone: the server must answer without waiting for the body.
        let c = try RawConnection(port: server.port, timeout: 10)
        try c.send(
            "POST /api/v1/tips HTTP/1.1\r\nHost: tipline.test\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 500001\r\n\r\n")
        let early = try c.readResponse()
        c.close()
        Contract.expectError(early, 413, "request_too_large")

        // Chunked: three files each under the per-file limit, together over the request limit.
        let photo = try Fixtures.noiseJPEG(in: server.work, side: 320)
        #expect(photo.count > 170_000 && photo.count < 200_000)
        let multipart = MultipartBody.tip(message: "streamed", files: [("1.jpg", photo), ("2.jpg", photo), ("3.jpg", photo)])
        #expect(multipart.bytes.count > 500_000)
        let chunked = Self.chunked(multipart.bytes, piece: 16384)
        let s = try RawConnection(port: server.port, timeout: 20)
        try s.send("POST /api/v1/tips HTTP/1.1\r\nHost: tipline.test\r\nContent-Type: \(multipart.contentType)\r\nTransfer-Encoding: chunked\r\n\r\n")
        let streamed = try s.sendWhileReading(AnyIterator(chunked.makeIterator())).get()
        s.close()
        Contract.expectError(streamed, 413, "request_too_large")
        try Self.expectIntact(server)
    }

    static func chunked(_ body: [UInt8], piece: Int) -> [[UInt8]] {
        stride(from: 0, to: body.count, by: piece).map { start in
            let chunk = Array(body[start..<min(start + piece, body.count)])
            return Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + [13, 10]
        } + [Array("0\r\n\r\n".utf8)]
    }

    @Test("a client that disconnects in the middle of a file part leaves nothing behind")
    func disconnectMidPart() throws {
        let server = try ServerUnderTest(policy: .small)
        let png = try Fixtures.plainPNG(in: server.work)
        let photo = try Fixtures.noiseJPEG(in: server.work, side: 300)
        let body = MultipartBody.tip(message: "cut off", files: [("first.png", png), ("second.jpg", photo)])
        let request = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", body.contentType)], body: body.bytes)
        let c = try RawConnection(port: server.port)
        try c.send(Array(request.prefix(request.count * 2 / 3)))
        Thread.sleep(forTimeInterval: 0.5)
        c.close()
        Thread.sleep(forTimeInterval: 0.5)
        try Self.expectIntact(server)
        // Half-close mid-body: the server sees end of stream while it still expects bytes.
        let h = try RawConnection(port: server.port, timeout: 10)
        try h.send(Array(request.prefix(request.count / 2)))
        h.shutdownWrite()
        if let r = try? h.readResponse() { Contract.expectError(r, 400, "malformed_request") }
        h.close()
        try Self.expectIntact(server)
    }

    @Test("missing or empty message, too long a message, unknown category, unknown field: 422 invalid_field")
    func invalidFields() throws {
        let server = try ServerUnderTest(policy: .small)
        var noMessage = MultipartBody()
        noMessage.field("category", "fraud")
        Contract.expectError(try server.submit(noMessage), 422, "invalid_field")
        Contract.expectError(try server.submit(.tip(message: "")), 422, "invalid_field")
        Contract.expectError(try server.submit(.tip(message: String(repeating: "a", count: 1001))), 422, "invalid_field")
        Contract.expectError(try server.submit(.tip(message: "hello", category: "gossip")), 422, "invalid_field")
        Contract.expectError(try server.submit(.tip(message: "hello", extra: [("nickname", "me")])), 422, "invalid_field")
        // At the limit is fine.
        #expect(try server.submit(.tip(message: String(repeating: "a", count: 1000))).status == 201)
        try Self.expectIntact(server, tips: 1)
    }

    @Test("the follow-up budget, once spent, gives 429 over_budget with Retry-After")
    func followUpBudget() throws {
        var policy = TestPolicy.small
        policy.receiptAttemptsPerMinute = 3
        let server = try ServerUnderTest(policy: policy)
        for _ in 0..<3 {
            #expect(try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": Fixtures.randomReceipt()]).status == 200)
        }
        let r = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": Fixtures.randomReceipt()])
        Contract.expectError(r, 429, "over_budget")
        let retry = Int(r.header("Retry-After") ?? "") ?? -1
        #expect((1...60).contains(retry), "Retry-After in whole seconds: \(r.header("Retry-After") ?? "none")")
        let page = try RawConnection.postForm(port: server.port, "/followup", [("receipt", Fixtures.randomReceipt())])
        #expect(page.status == 429)
        #expect(page.header("Retry-After") != nil)
        #expect(try server.get("/").status == 200)
    }

    @Test("uploads beyond max_concurrent_uploads get 429 over_budget with Retry-After, then succeed once slots free")
    func uploadConcurrency() throws {
        var policy = TestPolicy.small
        policy.maxConcurrentUploads = 2
        let server = try ServerUnderTest(policy: policy)
        let png = try Fixtures.plainPNG(in: server.work)
        let body = MultipartBody.tip(message: "slow", files: [("a.png", png)])
        let request = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", body.contentType)], body: body.bytes)
        let slow = try (0..<2).map { _ in try RawConnection(port: server.port) }
        for c in slow { try c.send(Array(request.prefix(request.count - 40))) }
        Thread.sleep(forTimeInterval: 0.5)
        let third = try server.submit(.tip(message: "third", files: [("b.png", png)]))
        Contract.expectError(third, 429, "over_budget")
        #expect(third.header("Retry-After") != nil)
        for c in slow { try c.send(Array(request.suffix(40))) }
        for c in slow { #expect(try c.readResponse().status == 201) }
        #expect(try server.submit(.tip(message: "fourth", files: [("b.png", png)])).status == 201)
        try Self.expectIntact(server, tips: 3)
    }
}
