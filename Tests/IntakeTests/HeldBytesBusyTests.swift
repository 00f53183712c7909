import Foundation
import Testing

/// Issue 10, item 11: files held whole while cleaning (TIFF, WebP, HEIF) draw on one budget
/// (`max_held_bytes`). A file that would cross it is the server's problem, not the tipster's:
/// 503 `server_busy` with `Retry-After`, the file named, nothing stored, and the same upload
/// goes through once the memory is free.
@Suite("Intake held-bytes budget", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct HeldBytesBusyTests {
    @Test("a TIFF that would cross max_held_bytes while another is half uploaded: 503 server_busy, Retry-After 5; both succeed later")
    func busyIsA503() throws {
        var policy = TestPolicy()
        policy.maxAttachmentBytes = 2_000_000
        policy.maxRequestBytes = 5_000_000
        policy.maxHeldBytes = 1_200_000
        let server = try ServerUnderTest(policy: policy)
        // 520 × 520 RGB, uncompressed: about 811 kB, held whole (input and rebuilt output).
        let path = server.work.appendingPathComponent("noise.tif").path
        try Fixtures.check(Run.tool("convert", ["-size", "520x520", "xc:", "+noise", "Random", "-compress", "none", path]))
        let tiff = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(tiff.count > 800_000)

        // A: everything but the last 100 kB, then a pause, so the server holds most of it.
        let first = MultipartBody.tip(message: "first of two scans", files: [("first.tif", tiff)])
        let request = RawRequest.bytes("POST", "/api/v1/tips", headers: [("Content-Type", first.contentType)], body: first.bytes)
        let held = try RawConnection(port: server.port, timeout: 20)
        try held.send(Array(request.prefix(request.count - 100_000)))
        Thread.sleep(forTimeInterval: 1.0)

        // B: a whole second TIFF while A holds its share.
        let busy = try server.submit(.tip(message: "second scan", files: [("second.tif", tiff)]))
        Contract.expectError(busy, 503, "server_busy", file: "second.tif")
        #expect(busy.header("Retry-After") == "5")
        #expect(busy.text.contains("Nothing was stored"), "\(busy.text.prefix(300))")
        #expect(try server.tipCount() == 0, "nothing of B is stored")

        try held.send(Array(request.suffix(100_000)))
        let done = try held.readResponse()
        #expect(done.status == 201, "A completes once alone: \(done.text.prefix(200))")
        let retried = try server.submit(.tip(message: "second scan", files: [("second.tif", tiff)]))
        #expect(retried.status == 201, "B after the retry: \(retried.text.prefix(200))")
        try BadInputTests.expectIntact(server, tips: 2)
    }
}
