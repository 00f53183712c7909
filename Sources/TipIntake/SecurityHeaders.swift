import HTTPTypes

/// The headers every response carries (intake-http.md "Every response"): one list for the
/// router middleware and for the channel handler that also covers the framework's own answers.
enum SecurityHeaders {
    static let fields: [(HTTPField.Name, String)] = [
        (
            .contentSecurityPolicy,
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (.cacheControl, "no-store"),
        (.xContentTypeOptions, "nosniff"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
        (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
        (
            HTTPField.Name("Permissions-Policy")!,
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
        ),
    ]

    /// Sets the list on `headers`, and removes what must never be sent (a cookie, a server name).
    static func stamp(_ headers: inout HTTPFields) {
        for (name, value) in fields { headers[name] = value }
        headers[.server] = nil
        headers[.setCookie] = nil
    }
}
