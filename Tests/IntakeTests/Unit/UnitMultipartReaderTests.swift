import NIOCore
import Testing

@testable import TipIntake

@Suite("MultipartReader: streaming events, truncation, boundaries")
struct UnitMultipartReaderTests {
    static let boundary = UnitMultipartBody.boundary

    /// Feeds `body` in the given piece sizes (cycled), then finishes; bodies joined.
    static func events(_ body: [UInt8], pieces: [Int], boundary: String = boundary) throws -> [MultipartEvent] {
        let reader = MultipartReader(boundary: boundary)
        var events: [MultipartEvent] = []
        var start = 0
        var turn = 0
        while start < body.count {
            let end = min(start + pieces[turn % pieces.count], body.count)
            turn += 1
            events += try reader.feed(ByteBuffer(bytes: body[start..<end]))
            start = end
        }
        try reader.finish()
        return joined(events)
    }

    static func events(_ body: [UInt8], piece: Int) throws -> [MultipartEvent] {
        try events(body, pieces: [piece])
    }

    /// Joins body pieces so the comparison does not depend on where the stream was cut.
    static func joined(_ events: [MultipartEvent]) -> [MultipartEvent] {
        var joined: [MultipartEvent] = []
        var run: [UInt8]? = nil
        for event in events {
            if case .body(let more) = event {
                if run == nil { run = [] }
                run!.append(contentsOf: more)
                continue
            }
            if let body = run { joined.append(.body(body)) }
            run = nil
            joined.append(event)
        }
        if let body = run { joined.append(.body(body)) }
        return joined
    }

    /// Random piece sizes from a fixed seed, so a failure can be replayed.
    static func randomPieces(seed: UInt64, count: Int = 200, upTo: Int = 300) -> [Int] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int.random(in: 1...upTo, using: &generator) }
    }

    static func isMalformed(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch let error as IntakeError {
            return error.code == .malformedRequest
        } catch {
            return false
        }
    }

    static func headerPart(_ headers: String, _ content: [UInt8]) -> [UInt8] {
        Array("--\(boundary)\r\n\(headers)\r\n\r\n".utf8) + content + Array("\r\n".utf8)
    }

    static var closing: [UInt8] { Array("--\(boundary)--\r\n".utf8) }

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

    @Test("a file part named only by filename* (RFC 5987) is still a file, its name decoded")
    func extendedFilename() throws {
        let body =
            Self.headerPart(#"Content-Disposition: form-data; name="attachments"; filename*=UTF-8''n%C3%A4me%20x.jpg"#, [1, 2, 3])
            + Self.headerPart(#"Content-Disposition: form-data; name="attachments"; filename*=UTF-8''bad%FF.jpg"#, [4]) + Self.closing
        let expected: [MultipartEvent] = [
            .partStart(PartHeaders(name: "attachments", filename: "näme x.jpg")), .body([1, 2, 3]), .partEnd,
            .partStart(PartHeaders(name: "attachments", filename: "UTF-8''bad%FF.jpg")), .body([4]), .partEnd,
        ]
        #expect(try Self.events(body, piece: body.count) == expected)
    }

    @Test("several fields and files give identical events fed whole, byte by byte and in seeded random pieces")
    func severalParts() throws {
        var generator = SplitMix64(seed: 7)
        let photo = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let small = (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var body = UnitMultipartBody()
        body.field("keep_location", "on")
        body.field("message", "first line\r\nsecond line")
        body.file("attachments", filename: "photo.jpg", photo)
        body.field("category", "")
        body.file("attachments", filename: "", [])
        body.file("attachments", filename: "small.png", small)
        let bytes = body.finished()
        let expected: [MultipartEvent] = [
            .partStart(PartHeaders(name: "keep_location")), .body(Array("on".utf8)), .partEnd,
            .partStart(PartHeaders(name: "message")), .body(Array("first line\r\nsecond line".utf8)), .partEnd,
            .partStart(PartHeaders(name: "attachments", filename: "photo.jpg")), .body(photo), .partEnd,
            .partStart(PartHeaders(name: "category")), .partEnd,
            .partStart(PartHeaders(name: "attachments", filename: "")), .partEnd,
            .partStart(PartHeaders(name: "attachments", filename: "small.png")), .body(small), .partEnd,
        ]
        #expect(try Self.events(bytes, piece: bytes.count) == expected)
        #expect(try Self.events(bytes, piece: 1) == expected)
        for seed: UInt64 in [1, 2, 3] {
            #expect(try Self.events(bytes, pieces: Self.randomPieces(seed: seed)) == expected, "seed \(seed)")
        }
        #expect(try Self.events(bytes, pieces: Self.randomPieces(seed: 4, upTo: 70_000)) == expected)
    }

    @Test("one piece gives at most one body event per part, however many CR bytes it holds")
    func oneBodyEventPerPiece() throws {
        let data = [UInt8](repeating: 13, count: 10_000) + [UInt8](repeating: 10, count: 10_000)
        var body = UnitMultipartBody()
        body.file("attachments", filename: "cr.bin", data)
        let reader = MultipartReader(boundary: Self.boundary)
        let events = try reader.feed(ByteBuffer(bytes: body.finished()))
        try reader.finish()
        #expect(events == [.partStart(PartHeaders(name: "attachments", filename: "cr.bin")), .body(data), .partEnd])
    }

    @Test("boundary text inside file data is data unless it is CRLF--boundary followed by CRLF, padding or --")
    func boundaryLookalikes() throws {
        let lookalikes: [[UInt8]] = [
            Array("x--\(Self.boundary)\r\nmore".utf8),  // no CRLF before it
            Array("x\n--\(Self.boundary)\r\nmore".utf8),  // bare LF before it
            Array("x\r\n--\(Self.boundary)X\r\nmore".utf8),  // a longer boundary-like string
            Array("x\r\n--\(Self.boundary)-x".utf8),  // one dash is not a close
            Array("\r\n--\(Self.boundary.dropLast())\r\n".utf8),  // a shorter one
            Array("\r\n-\r\n--\r\r\n\r\n--\(Self.boundary)0".utf8),
        ]
        for (number, data) in lookalikes.enumerated() {
            var body = UnitMultipartBody()
            body.file("attachments", filename: "f.bin", data)
            let bytes = body.finished()
            let expected: [MultipartEvent] = [.partStart(PartHeaders(name: "attachments", filename: "f.bin")), .body(data), .partEnd]
            for piece in [1, 2, 5, bytes.count] {
                #expect(try Self.events(bytes, piece: piece) == expected, "lookalike \(number), piece \(piece)")
            }
        }
    }

    @Test("a file made of CR, LF, dashes and boundary prefixes comes through byte for byte")
    func manyLineBreaks() throws {
        var generator = SplitMix64(seed: 11)
        let alphabet: [[UInt8]] = [
            [13], [10], [45], [13, 10], Array("\r\n--".utf8),
            Array("\r\n--\(Self.boundary.prefix(20))".utf8), Array("\r\n--\(Self.boundary)x".utf8),
        ]
        var data: [UInt8] = []
        while data.count < 100_000 { data += alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        var body = UnitMultipartBody()
        body.file("attachments", filename: "lines.bin", data)
        body.field("message", "\r\n")
        let bytes = body.finished()
        let expected: [MultipartEvent] = [
            .partStart(PartHeaders(name: "attachments", filename: "lines.bin")), .body(data), .partEnd,
            .partStart(PartHeaders(name: "message")), .body([13, 10]), .partEnd,
        ]
        #expect(try Self.events(bytes, piece: bytes.count) == expected)
        #expect(try Self.events(bytes, piece: 1) == expected)
        #expect(try Self.events(bytes, pieces: Self.randomPieces(seed: 12, upTo: 90)) == expected)
    }

    @Test("a delimiter split across pieces at every position is still found")
    func splitDelimiter() throws {
        var body = UnitMultipartBody()
        body.field("message", "hello")
        body.file("attachments", filename: "x.jpg", [1, 2, 13])
        let bytes = body.finished()
        let expected = try Self.events(bytes, piece: bytes.count)
        for cut in 1..<bytes.count {
            #expect(try Self.events(bytes, pieces: [cut, bytes.count]) == expected, "cut at \(cut)")
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

    @Test("cut at every byte offset: malformed until the closing --, and never a part reported whole that was cut")
    func truncatedEverywhere() throws {
        var body = UnitMultipartBody()
        body.field("message", "hi\r\n")
        body.file("attachments", filename: "x.jpg", [1, 13, 10, 2, 3])
        let bytes = body.finished()
        let full = try Self.events(bytes, piece: bytes.count)
        let complete = bytes.count - 2  // the CRLF after the closing "--" is optional
        for cut in 0..<bytes.count {
            for piece in [1, 4, bytes.count] {
                let reader = MultipartReader(boundary: Self.boundary)
                var seen: [MultipartEvent] = []
                var start = 0
                let malformed = Self.isMalformed {
                    while start < cut {
                        let end = min(start + piece, cut)
                        seen += try reader.feed(ByteBuffer(bytes: bytes[start..<end]))
                        start = end
                    }
                    try reader.finish()
                }
                #expect(malformed == (cut < complete), "cut \(cut), piece \(piece)")
                // What was reported is a prefix of the whole stream's events (the last body
                // possibly shorter): no partEnd for a part whose bytes were cut.
                let got = Self.joined(seen)
                #expect(got.count <= full.count, "cut \(cut)")
                for (index, event) in got.enumerated() where index < full.count {
                    if index == got.count - 1, case .body(let part) = event, case .body(let whole) = full[index] {
                        #expect(whole.starts(with: part), "cut \(cut)")
                    } else {
                        #expect(event == full[index], "cut \(cut), event \(index)")
                    }
                }
            }
        }
    }

    @Test("preamble, transport padding, header case and epilogue are tolerated")
    func tolerated() throws {
        let bytes =
            Array("This is a preamble.\r\n--\(Self.boundary)".utf8) + Array(" \t \r\n".utf8)
            + Array("CONTENT-disposition: form-data; name=\"message\"\r\nX-Other: y\r\n\r\nhi\r\n".utf8)
            + Array("--\(Self.boundary)\t\r\ncontent-disposition:form-data;name=attachments;filename=\"a.png\"\r\n\r\n\u{1}\r\n".utf8)
            + Array("--\(Self.boundary)--  epilogue\r\n--\(Self.boundary)\r\ngarbage".utf8)
        let expected: [MultipartEvent] = [
            .partStart(PartHeaders(name: "message")), .body(Array("hi".utf8)), .partEnd,
            .partStart(PartHeaders(name: "attachments", filename: "a.png")), .body([1]), .partEnd,
        ]
        for piece in [1, 3, bytes.count] {
            #expect(try Self.events(bytes, piece: piece) == expected, "piece \(piece)")
        }
    }

    @Test("refused: no boundary at all, no parts, bad lines after a delimiter, folding, bare LF, oversized headers")
    func refused() throws {
        let part = Self.headerPart("Content-Disposition: form-data; name=\"message\"", Array("hi".utf8))
        let bad: [(String, [UInt8])] = [
            ("empty body", []),
            ("no boundary", Array("just some text\r\nand more\r\n".utf8)),
            ("only a closing delimiter", Self.closing),
            ("text after a delimiter", Array("--\(Self.boundary) x\r\n".utf8) + Self.closing),
            ("bare LF after a delimiter", Array("--\(Self.boundary)\n\r\n\r\nhi\r\n".utf8) + Self.closing),
            ("folded header", Self.headerPart("Content-Disposition: form-data;\r\n name=\"message\"", [1])),
            ("bare LF header line", Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"m\"\n\r\nhi\r\n".utf8) + Self.closing),
            ("header without colon", Self.headerPart("Content-Disposition form-data", [1]) + Self.closing),
            ("space in header name", Self.headerPart("Content Disposition: form-data", [1]) + Self.closing),
            ("oversized header", Self.headerPart("X-Big: " + String(repeating: "a", count: 9_000), [1]) + part + Self.closing),
            ("too many header lines", Self.headerPart(Array(repeating: "X-A: b", count: 101).joined(separator: "\r\n"), [1]) + Self.closing),
            ("no closing delimiter", part),
        ]
        for (why, bytes) in bad {
            for piece in [1, 7, max(bytes.count, 1)] {
                #expect(Self.isMalformed { _ = try Self.events(bytes, piece: piece) }, "\(why), piece \(piece)")
            }
        }
        // Right at the limits is fine.
        let lines = Array(repeating: "X-A: b", count: 99).joined(separator: "\r\n")
        let atLimit = Self.headerPart("Content-Disposition: form-data; name=\"message\"\r\n" + lines, [7]) + Self.closing
        #expect(try Self.events(atLimit, piece: 3) == [.partStart(PartHeaders(name: "message")), .body([7]), .partEnd])
    }

    @Test("the boundary comes from a multipart/form-data Content-Type, quoted or not")
    func boundary() {
        #expect(MultipartReader.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartReader.boundary(contentType: #"Multipart/Form-Data; charset=utf-8; boundary="a b""#) == "a b")
        #expect(MultipartReader.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartReader.boundary(contentType: "application/json; boundary=abc") == nil)
        #expect(MultipartReader.boundary(contentType: nil) == nil)
    }

    @Test("the word-wide CR search finds the first CR at every offset and alignment")
    func crSearch() {
        var wrong: [String] = []
        for length in 0..<40 {
            for position in 0...length {
                var bytes = [UInt8](repeating: 0x8D, count: length)  // 0x8D: CR with the high bit set
                if position < length { bytes[position] = 13 }
                if position + 1 < length { bytes[position + 1] = 13 }
                for from in 0...length {
                    let found = bytes.withUnsafeBytes { BoundaryScanner.firstCR(in: $0, from: from) }
                    let expected = (from...max(from, length - 1)).first { $0 < length && bytes[$0] == 13 } ?? length
                    if found != expected { wrong.append("length \(length), CR at \(position), from \(from)") }
                }
            }
        }
        #expect(wrong == [])
    }
}

/// A small seeded generator (SplitMix64) so random piece sizes are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
