import NIOCore
import TipIntake

/// The streaming multipart reader sees every byte a tipster's browser (or an attacker) sends.
/// Input: a `Content-Type` line, a newline, then the body. Promises:
/// - the parts, their headers and bodies do not depend on how the network cut the body;
/// - part bodies never hold more bytes than came in, and a refused body is refused either way.
enum MultipartProbe {
    static let fallbackBoundary = "tipline-fuzz"

    static func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        let newline = input.firstIndex(of: 0x0A) ?? input.count
        let contentType = String(decoding: UnsafeRawBufferPointer(rebasing: input[0..<newline]), as: UTF8.self)
        let boundary = MultipartReader.boundary(contentType: contentType) ?? fallbackBoundary
        let body = UnsafeRawBufferPointer(rebasing: input[min(newline + 1, input.count)...])
        let whole = read(body, boundary: boundary, pieceSize: max(body.count, 1))
        let split = read(body, boundary: boundary, pieceSize: 1 + input.count % 13)
        guard whole == split else {
            throw FuzzViolation("multipart: fed whole it read \(whole), fed in pieces \(split)")
        }
        if case .parts(let parts) = whole {
            let bytes = parts.reduce(0) { $0 + $1.body.count }
            guard bytes <= body.count else { throw FuzzViolation("multipart: \(bytes) body bytes out of \(body.count) in") }
        }
    }

    /// One part as read: its headers and all its body bytes joined.
    struct Part: Equatable {
        var headers: PartHeaders
        var body: [UInt8] = []
    }

    enum Reading: Equatable, CustomStringConvertible {
        case parts([Part])
        case refused

        var description: String {
            switch self {
            case .parts(let parts): "\(parts.count) parts of \(parts.map(\.body.count)) bytes"
            case .refused: "a refusal"
            }
        }
    }

    private static func read(_ body: UnsafeRawBufferPointer, boundary: String, pieceSize: Int) -> Reading {
        let reader = MultipartReader(boundary: boundary)
        var parts: [Part] = []
        var open = false
        do throws(IntakeError) {
            var offset = 0
            while offset < body.count {
                let end = min(offset + pieceSize, body.count)
                let buffer = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: body[offset..<end]))
                for event in try reader.feed(buffer) {
                    switch event {
                    case .partStart(let headers):
                        guard !open else { return .refused }
                        parts.append(Part(headers: headers))
                        open = true
                    case .body(let bytes):
                        guard open else { return .refused }
                        parts[parts.count - 1].body += bytes
                    case .partEnd:
                        guard open else { return .refused }
                        open = false
                    }
                }
                offset = end
            }
            try reader.finish()
            return .parts(parts)
        } catch {
            return .refused
        }
    }
}
