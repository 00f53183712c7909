import NIOCore
import Testing

@testable import TipIntake

@Suite("MultipartReader: streaming events, truncation, boundaries")
struct UnitMultipartReaderTests {
    static func events(_ body: [UInt8], piece: Int) throws -> [MultipartEvent] {
        let reader = MultipartReader(boundary: UnitMultipartBody.boundary)
        var events: [MultipartEvent] = []
        var start = 0
        while start < body.count {
            let end = min(start + piece, body.count)
            events += try reader.feed(ByteBuffer(bytes: body[start..<end]))
            start = end
        }
        try reader.finish()
        // Join body pieces so the comparison does not depend on where the stream was cut.
        var joined: [MultipartEvent] = []
        for event in events {
            if case .body(let more) = event, case .body(let previous) = joined.last {
                joined[joined.count - 1] = .body(previous + more)
            } else {
                joined.append(event)
            }
        }
        return joined
    }

    @Test("fields and a file with CR/LF bytes inside parse the same whatever the piece size")
    func pieceSizes() throws {
        var body = UnitMultipartBody()
        body.field("message", "line one\r\nline two")
        let file: [UInt8] = [0xFF, 0xD8, 13, 10, 45, 45, 13, 13, 10, 0, 1, 2]
        body.file("attachments", filename: "a\\\"b.jpg", file)
        let bytes = body.finished()
        let expected: [MultipartEvent] = [
            .partStart(PartHeaders(name: "message", filename: nil)), .body(Array("line one\r\nline two".utf8)), .partEnd,
            .partStart(PartHeaders(name: "attachments", filename: "a\"b.jpg")), .body(file), .partEnd,
        ]
        for piece in [1, 2, 3, 7, 64, bytes.count] {
            #expect(try Self.events(bytes, piece: piece) == expected, "piece size \(piece)")
        }
    }

    @Test("a body cut before the closing delimiter is refused as malformed")
    func truncated() throws {
        var body = UnitMultipartBody()
        body.field("message", "hello")
        body.file("attachments", filename: "x.jpg", [1, 2, 3])
        let bytes = body.finished()
        for cut in [bytes.count - 3, bytes.count - 20, 10] {
            #expect(throws: IntakeError.self) { try Self.events(Array(bytes[0..<cut]), piece: 5) }
        }
    }

    @Test("the boundary comes from a multipart/form-data Content-Type, quoted or not")
    func boundary() {
        #expect(MultipartReader.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartReader.boundary(contentType: #"Multipart/Form-Data; charset=utf-8; boundary="a b""#) == "a b")
        #expect(MultipartReader.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartReader.boundary(contentType: "application/json; boundary=abc") == nil)
        #expect(MultipartReader.boundary(contentType: nil) == nil)
    }
}
