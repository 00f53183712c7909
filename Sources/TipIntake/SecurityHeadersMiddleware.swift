import HTTPTypes
import Hummingbird

/// Runs around every route and the not-found responder: turns any failure into the contract's
/// error (status, code, message), and stamps the security headers on every response. Nothing
/// about the request is logged.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let intake = Self.intakeError(error)
            let path = request.uri.path
            response = Responses.error(intake, api: path.hasPrefix("/api/"), pages: pages, back: path.hasPrefix("/followup") ? "/followup" : "/")
            // A refused upload may still be streaming in: answer, then end the connection
            // rather than read the rest (ConnectionGuard closes after this response).
            if request.method == .post { response.headers[.connection] = "close" }
        }
        // A HEAD answer (HEAD itself, or a 404/405 to it) never carries a body.
        if request.method == .head { response = response.createHeadResponse() }
        SecurityHeaders.stamp(&response.headers)
        return response
    }

    static func intakeError(_ error: Error) -> IntakeError {
        if let intake = error as? IntakeError { return intake }
        if let http = error as? HTTPError {
            switch http.status {
            case .notFound, .methodNotAllowed: return .notFound
            case .contentTooLarge: return .malformed("The request body is too large for this address.")
            default: return .notStored()
            }
        }
        return .notStored()
    }
}
