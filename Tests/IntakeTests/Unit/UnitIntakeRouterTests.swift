import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import TipIntake

/// The routes and the header middleware in process (no socket): every response, errors and
/// 404s included, carries the contract's headers and never a Server or Set-Cookie header.
@Suite("Routes and headers in process")
struct UnitIntakeRouterTests {
    /// The same list the socket tests check (Contract.securityHeaders).
    static let expectedHeaders = Contract.securityHeaders

    static func checkHeaders(_ response: TestResponse) {
        for (name, value) in expectedHeaders {
            #expect(response.headers[HTTPField.Name(name)!] == value, "\(name)")
        }
        #expect(response.headers[.server] == nil)
        #expect(response.headers[.setCookie] == nil)
    }

    @Test("pages, the stylesheet, 404s and API errors all carry the security headers")
    func headersEverywhere() async throws {
        let unit = try UnitVault()
        let server = try IntakeServer(configuration: IntakeConfiguration(dataDirectory: unit.dataDirectory, policy: UnitVault.testPolicy()))
        try await server.makeApplication().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                Self.checkHeaders(response)
            }
            try await client.execute(uri: "/style.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                Self.checkHeaders(response)
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("<html lang=\"en\">"))
                Self.checkHeaders(response)
            }
            try await client.execute(uri: "/api/v1/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(
                    String(buffer: response.body)
                        == #"{"error":{"code":"not_found","message":"There is no page at this address; go back to the form."}}"#)
                Self.checkHeaders(response)
            }
            try await client.execute(
                uri: "/api/v1/followup", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"x\":1}")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).hasPrefix(#"{"error":{"code":"malformed_request","#))
                Self.checkHeaders(response)
            }
            try await client.execute(
                uri: "/api/v1/followup", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"receipt":"00000-00000-00000-00000-00000"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"replies":[],"status":"received"}"#)
                Self.checkHeaders(response)
            }
        }
    }
}
