import Foundation
import HTTPTypes
import Hummingbird

/// A refusal of the investigator listener: a status, a stable machine code and a sentence.
/// Messages never carry keys, names or tip ids, so they can be logged as counters by code.
struct InvestigatorError: Error, Sendable {
    enum Code: String, Sendable, CaseIterable {
        case unsigned, malformedSignature = "malformed_signature", unknownKey = "unknown_key"
        case staleTimestamp = "stale_timestamp", badSignature = "bad_signature", revoked, adminOnly = "admin_only"
        case replayed, bodyTooLarge = "body_too_large", busy, notFound = "not_found", badRequest = "bad_request"
        case badRecordSize = "bad_record_size", rosterRefused = "roster_refused", internalError = "internal"
    }

    let status: HTTPResponse.Status
    let code: Code
    let message: String

    static let unsigned = Self(status: .unauthorized, code: .unsigned, message: "The request carries no Tipline signature headers.")
    static let unknownKey = Self(status: .unauthorized, code: .unknownKey, message: "The signing key is not in the roster.")
    static let stale = Self(
        status: .unauthorized, code: .staleTimestamp,
        message: "The timestamp is more than 300 s from the server's clock, or before the server started; sign again.")
    static let badSignature = Self(status: .unauthorized, code: .badSignature, message: "The signature does not verify for this request.")
    static let revoked = Self(status: .forbidden, code: .revoked, message: "This key was removed from the roster.")
    static let adminOnly = Self(status: .forbidden, code: .adminOnly, message: "Only an admin of the roster may do this.")
    static let replayed = Self(status: .conflict, code: .replayed, message: "This nonce was already used; sign the request again.")
    static let tooLarge = Self(status: .contentTooLarge, code: .bodyTooLarge, message: "The request body is larger than this listener takes.")
    static let busy = Self(status: .serviceUnavailable, code: .busy, message: "Too many recent requests; try again shortly.")
    static let notFound = Self(status: .notFound, code: .notFound, message: "Nothing is here.")
    static let internalError = Self(status: .internalServerError, code: .internalError, message: "The server failed; nothing was stored.")

    static func malformed(_ header: String) -> Self {
        Self(status: .unauthorized, code: .malformedSignature, message: "The \(header) signature header is malformed.")
    }

    static func badRequest(_ message: String) -> Self { Self(status: .badRequest, code: .badRequest, message: message) }

    var response: Response {
        struct Body: Encodable {
            struct Inner: Encodable {
                var code: String
                var message: String
            }
            var error: Inner
        }
        return InvestigatorResponses.json(Body(error: .init(code: code.rawValue, message: message)), status: status)
    }
}

/// JSON bodies of the investigator listener (sorted keys, like the public API).
enum InvestigatorResponses {
    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"The response could not be encoded."}}"#.utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every failure on the investigator listener into its JSON error and counts it.
struct InvestigatorErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let counters: InvestigatorCounters

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
            counters.answered()
        } catch {
            let refusal: InvestigatorError
            if let own = error as? InvestigatorError {
                refusal = own
            } else if let http = error as? HTTPError, http.status == .notFound || http.status == .methodNotAllowed {
                refusal = .notFound
            } else if let http = error as? HTTPError, http.status == .contentTooLarge {
                refusal = .tooLarge
            } else {
                refusal = .internalError
            }
            counters.refused(refusal.code)
            response = refusal.response
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
