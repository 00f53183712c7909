import HTTPTypes
import Hummingbird

/// A known address asked with a method it does not take is answered 405 with `Allow` (in the
/// contract's error shape, via the error middleware). Unknown addresses fall through to the 404.
/// (Router middleware runs after the route is chosen, so this sees every request that matched
/// no route and can tell a known path from an unknown one.)
struct MethodMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path → the methods its routes take (IntakeRoutes.methods).
    let methods: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = methods[request.uri.path] else { return try await next(request, context) }
        guard allowed.contains(request.method) else { throw IntakeError.methodNotAllowed(allow: allowed) }
        return try await next(request, context)
    }
}
