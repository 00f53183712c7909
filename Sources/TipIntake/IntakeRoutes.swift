import Foundation
import HTTPTypes
import Hummingbird
import TiplineCrypto

/// The contract's routes: pages (HTML) and the JSON API, both thin over the services.
struct IntakeRoutes: Sendable {
    let services: IntakeServices
    let pages: Pages
    /// Receipt look-up bodies are tiny; anything bigger is not a receipt.
    static let lookupBodyLimit = 16 * 1024
    /// Every path `register` routes and the methods it takes there (for 405 and HEAD).
    static let methods: [String: [HTTPRequest.Method]] = [
        "/": [.get, .head], "/style.css": [.get, .head], "/followup": [.get, .head, .post], "/tips": [.post], "/followup/messages": [.post],
        "/api/v1/tips": [.post], "/api/v1/followup": [.post], "/api/v1/followup/messages": [.post],
    ]

    func register(on router: Router<BasicRequestContext>) {
        let (pages, submissions, followUps) = (pages, SubmissionService(services: services), FollowUpService(services: services))

        // Each page answers HEAD as well (the error middleware drops the body).
        let getPages: [(RouterPath, @Sendable () -> Response)] = [
            ("/", { Responses.html(pages.form()) }), ("/style.css", { Responses.css(StyleSheet.css) }),
            ("/followup", { Responses.html(pages.followUpForm()) }),
        ]
        for (path, page) in getPages {
            for method in [HTTPRequest.Method.get, .head] { router.on(path, method: method) { _, _ in page() } }
        }

        router.post("/tips") { request, _ in
            let result = try await submissions.submitTip(
                body: request.body, contentType: request.headers[.contentType], contentLength: Self.contentLength(request))
            return Responses.html(pages.receipt(result.receipt.displayText, attachments: result.attachments))
        }
        router.post("/followup") { request, _ in
            let receipt = try await Self.receiptField(request)
            let view = try await followUps.view(receipt: receipt)
            return Responses.html(pages.followUpView(view, receipt: receipt))
        }
        router.post("/followup/messages") { request, _ in
            let attachments = try await submissions.submitFollowUp(
                body: request.body, contentType: request.headers[.contentType], contentLength: Self.contentLength(request))
            return Responses.html(pages.followUpSent(attachments: attachments))
        }

        router.post("/api/v1/tips") { request, _ in
            let result = try await submissions.submitTip(
                body: request.body, contentType: request.headers[.contentType], contentLength: Self.contentLength(request))
            return Responses.json(
                Responses.TipJSON(receipt: result.receipt.displayText, attachments: result.attachments.map(Responses.AttachmentJSON.init)),
                status: .created)
        }
        router.post("/api/v1/followup") { request, _ in
            let receipt = try await Self.jsonReceipt(request)
            let view = try await followUps.view(receipt: receipt)
            return Responses.json(Responses.FollowUpJSON(status: view.status, replies: view.replies), status: .ok)
        }
        router.post("/api/v1/followup/messages") { request, _ in
            let attachments = try await submissions.submitFollowUp(
                body: request.body, contentType: request.headers[.contentType], contentLength: Self.contentLength(request))
            return Responses.json(Responses.MessageJSON(attachments: attachments.map(Responses.AttachmentJSON.init)), status: .created)
        }
    }

    static func contentLength(_ request: Request) -> Int? {
        HeaderParameters.contentLength(request.headers[.contentLength])
    }

    /// The whole (small) body, or a 400/413-style refusal.
    static func smallBody(_ request: Request) async throws -> [UInt8] {
        if let length = contentLength(request), length > lookupBodyLimit {
            throw IntakeError.malformed("The request body is too large for a receipt look-up.")
        }
        var bytes: [UInt8] = []
        do {
            for try await buffer in request.body {
                bytes += buffer.readableBytesView
                if bytes.count > lookupBodyLimit { throw IntakeError.malformed("The request body is too large for a receipt look-up.") }
            }
        } catch let error as IntakeError {
            throw error
        } catch {
            throw IntakeError.malformed("The request ended early; send it again.")
        }
        return bytes
    }

    /// POST /api/v1/followup: `{"receipt": "..."}` as application/json.
    static func jsonReceipt(_ request: Request) async throws -> String {
        let (type, _) = HeaderParameters.parse(request.headers[.contentType] ?? "")
        guard type == "application/json" else {
            throw IntakeError.malformed("The request must be application/json with a receipt field.")
        }
        struct Lookup: Decodable { var receipt: String }
        var body = try await smallBody(request)
        defer { SecureBytes.wipe(&body) }  // the receipt as typed
        guard let lookup = try? JSONDecoder().decode(Lookup.self, from: Data(body)) else {
            throw IntakeError.malformed("The request is not JSON of the form {\"receipt\": \"...\"}; fix it and send again.")
        }
        return lookup.receipt
    }

    /// POST /followup: the `receipt` field, urlencoded or multipart.
    static func receiptField(_ request: Request) async throws -> String {
        let contentType = request.headers[.contentType] ?? ""
        let (type, _) = HeaderParameters.parse(contentType)
        var body = try await smallBody(request)
        defer { SecureBytes.wipe(&body) }  // the receipt as typed
        var receipt: String?
        if type == "application/x-www-form-urlencoded" {
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.formDecode(parts[0])
                guard key == "receipt" else {
                    throw IntakeError.invalidField("The form has an unknown field \(FieldRules.shown(key ?? "")); use the form as served.")
                }
                guard receipt == nil else { throw duplicateReceipt }
                receipt = parts.count > 1 ? Self.formDecode(parts[1]) : ""
            }
        } else if let boundary = MultipartReader.boundary(contentType: contentType) {
            receipt = try Self.multipartReceipt(body, boundary: boundary)
        } else {
            throw IntakeError.malformed("The request must be a form (urlencoded or multipart) with a receipt field.")
        }
        guard let receipt else {
            throw IntakeError.invalidField("The receipt is missing; enter the receipt you were given with your tip.")
        }
        return receipt
    }

    static func multipartReceipt(_ body: [UInt8], boundary: String) throws -> String? {
        let reader = MultipartReader(boundary: boundary)
        var name: String?
        var value: [UInt8] = []
        defer { SecureBytes.wipe(&value) }
        var receipt: String?
        for event in try reader.feed(ByteBuffer(bytes: body)) {
            switch event {
            case .partStart(let part):
                guard part.name == "receipt", part.filename == nil else {
                    throw IntakeError.invalidField("The form has an unknown field \(FieldRules.shown(part.name ?? "")); use the form as served.")
                }
                guard name == nil else { throw duplicateReceipt }
                name = part.name
                value = []
            case .body(let bytes): value += bytes
            case .partEnd:
                if name == "receipt" { receipt = String(decoding: value, as: UTF8.self) }
            }
        }
        try reader.finish()
        return receipt
    }

    static let duplicateReceipt = IntakeError.malformed("The form has the field “receipt” more than once; send each field once.")

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, then percent escapes.
    static func formDecode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
