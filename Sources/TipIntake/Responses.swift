import Foundation
import HTTPTypes
import Hummingbird

/// Builds the bodies the contract specifies: HTML pages, and the JSON API's exact shapes.
enum Responses {
    struct AttachmentJSON: Encodable {
        var name: String
        var format: String
        var bytes: Int
        var removed: [String]
        var kept: [String]

        init(_ a: SubmittedAttachment) {
            name = a.clientName
            format = a.entry.format
            bytes = a.entry.bytes
            removed = a.entry.removed.sorted()
            kept = a.entry.kept.sorted()
        }
    }

    struct TipJSON: Encodable {
        var receipt: String
        var attachments: [AttachmentJSON]
    }

    struct MessageJSON: Encodable {
        var attachments: [AttachmentJSON]
    }

    struct FollowUpJSON: Encodable {
        var status: String
        var replies: [FollowUpService.Reply]
    }

    struct ErrorJSON: Encodable {
        struct Body: Encodable {
            var code: String
            var message: String
            var file: String?
        }
        var error: Body
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func css(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"The response could not be encoded."}}"#.utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The error in the caller's language (JSON under /api/, else an HTML page), with
    /// Retry-After when it is a budget refusal and Allow when the method is not taken.
    static func error(_ error: IntakeError, api: Bool, pages: Pages, back: String) -> Response {
        var response: Response
        if api {
            response = json(ErrorJSON(error: .init(code: error.code.rawValue, message: error.message, file: error.file)), status: error.status)
        } else {
            response = html(pages.error(error, back: back), status: error.status)
        }
        if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        if let allow = error.allow { response.headers[.allow] = allow }
        return response
    }
}
