import HTTPTypes
import Hummingbird

/// Every refusal the intake server answers with: the contract's status, a stable code, one
/// sentence a tipster can act on and, when one attachment is the cause, the client's file name.
/// Messages never carry message text, receipts or metadata values.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case malformedRequest = "malformed_request"
        case requestTooLarge = "request_too_large"
        case attachmentTooLarge = "attachment_too_large"
        case tooManyAttachments = "too_many_attachments"
        case unsupportedFile = "unsupported_file"
        case invalidField = "invalid_field"
        case overBudget = "over_budget"
        case serverBusy = "server_busy"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case `internal`

        public var status: HTTPResponse.Status {
            switch self {
            case .malformedRequest: .badRequest
            case .requestTooLarge, .attachmentTooLarge, .tooManyAttachments: .contentTooLarge
            case .unsupportedFile: .unsupportedMediaType
            case .invalidField: .unprocessableContent
            case .overBudget: .tooManyRequests
            case .serverBusy: .serviceUnavailable
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .internal: .internalServerError
            }
        }
    }

    public var code: Code
    public var message: String
    /// The client's file name when one attachment caused the error (shown back, never stored).
    public var file: String?
    /// Seconds for `Retry-After` (over_budget and server_busy only).
    public var retryAfterSeconds: Int?
    /// The methods for `Allow` (method_not_allowed only), e.g. `GET, HEAD`.
    public var allow: String?

    public init(_ code: Code, _ message: String, file: String? = nil, retryAfterSeconds: Int? = nil, allow: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.retryAfterSeconds = retryAfterSeconds
        self.allow = allow
    }

    public var status: HTTPResponse.Status { code.status }
    public var description: String { "\(code.rawValue): \(message)" }

    // MARK: The contract's cases

    static func malformed(_ why: String) -> IntakeError { .init(.malformedRequest, why) }

    static func requestTooLarge(limit: Int) -> IntakeError {
        .init(.requestTooLarge, "The submission is larger than the \(limit)-byte limit; send fewer or smaller files. Nothing was stored.")
    }

    static func attachmentTooLarge(limit: Int, file: String) -> IntakeError {
        .init(.attachmentTooLarge, "This file is larger than the \(limit)-byte limit; send a smaller copy. Nothing was stored.", file: file)
    }

    static func tooManyAttachments(limit: Int) -> IntakeError {
        .init(.tooManyAttachments, "At most \(limit) files can be sent at once; send the rest in a follow-up. Nothing was stored.")
    }

    static func invalidField(_ why: String) -> IntakeError { .init(.invalidField, why) }

    static func overBudget(retryAfter: Int) -> IntakeError {
        .init(.overBudget, "The server is busy; try again in \(retryAfter) seconds. Nothing was stored.", retryAfterSeconds: retryAfter)
    }

    /// The server's memory for held-whole files is taken by other uploads: the tipster did
    /// nothing wrong, and the same upload succeeds later.
    static func serverBusy(retryAfter: Int, file: String) -> IntakeError {
        .init(
            .serverBusy, "The server is cleaning too many large files right now; send the tip again in \(retryAfter) seconds. Nothing was stored.",
            file: file, retryAfterSeconds: retryAfter)
    }

    static func notStored() -> IntakeError {
        .init(.internal, "The server could not store the submission; it was NOT stored, please try again later.")
    }

    static let notFound = IntakeError(.notFound, "There is no page at this address; go back to the form.")

    static func methodNotAllowed(allow methods: [HTTPRequest.Method]) -> IntakeError {
        let names = methods.map(\.rawValue)
        let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " and " + names.last! : names.joined()
        return .init(
            .methodNotAllowed, "This address only answers \(list) requests; go back to the form.",
            allow: names.joined(separator: ", "))
    }
}
