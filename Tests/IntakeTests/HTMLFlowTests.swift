import Foundation
import Testing

/// The no-JavaScript pages, driven with the bytes a browser sends.
@Suite("Intake HTML pages", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"))
struct HTMLFlowTests {
    static func policy(keepLocation: Bool = true, keepDate: Bool = true) -> TestPolicy {
        var p = TestPolicy()
        p.categories = ["fraud", "safety", "other"]
        p.questions = ["Where did it happen?", "Who else knows?"]
        p.allowKeepLocation = keepLocation
        p.allowKeepCaptureDate = keepDate
        return p
    }

    /// An element named `name` has a `<label for=id>` or sits inside a `<label>`.
    static func isLabelled(_ tag: PageTag, in html: String, tags: [PageTag]) -> Bool {
        if let id = tag["id"], tags.contains(where: { $0.name == "label" && $0["for"] == id }) { return true }
        guard let name = tag["name"] else { return false }
        let pattern = #"<label\b[^>]*>(?:(?!</label>)[\s\S])*?name\s*=\s*["']?"# + NSRegularExpression.escapedPattern(for: name) + #"["'\s>]"#
        return html.range(of: pattern, options: .regularExpression) != nil
    }

    static func expectNoScriptNoExternal(_ html: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let tags = PageReader.tags(html)
        #expect(!html.lowercased().contains("<script"), "\(what): no <script>", sourceLocation: sourceLocation)
        #expect(!html.lowercased().contains("javascript:"), "\(what): no javascript: URL", sourceLocation: sourceLocation)
        let handlers = tags.flatMap { $0.attributes.keys.filter { $0.hasPrefix("on") } }
        #expect(handlers == [], "\(what): no event handler attributes", sourceLocation: sourceLocation)
        let resources = tags.filter { $0.name != "a" }
        for url in PageReader.urls(resources) {
            #expect(url.hasPrefix("/") && !url.hasPrefix("//"), "\(what): external or relative resource \(url)", sourceLocation: sourceLocation)
        }
        #expect(tags.first { $0.name == "html" }?["lang"]?.isEmpty == false, "\(what): <html lang>", sourceLocation: sourceLocation)
    }

    @Test("GET / is the submission form the contract lists, with labels, no script and no external resource")
    func submissionForm() throws {
        let server = try ServerUnderTest(policy: Self.policy())
        let r = try server.get("/")
        #expect(r.status == 200)
        #expect(r.header("Content-Type")?.lowercased() == "text/html; charset=utf-8")
        let html = r.text
        let tags = PageReader.tags(html)
        Self.expectNoScriptNoExternal(html, "GET /")
        let forms = tags.filter { $0.name == "form" && $0["action"] == "/tips" }
        #expect(forms.count == 1)
        #expect(forms.first?["method"]?.lowercased() == "post")
        #expect(forms.first?["enctype"]?.lowercased() == "multipart/form-data")
        let message = tags.first { $0.name == "textarea" && $0["name"] == "message" }
        #expect(message?.has("required") == true, "textarea message, required")
        #expect(tags.contains { $0.name == "select" && $0["name"] == "category" })
        #expect(tags.filter { $0.name == "option" }.compactMap { $0["value"] }.filter { !$0.isEmpty } == ["fraud", "safety", "other"])
        for (i, _) in Self.policy().questions.enumerated() {
            let q = tags.first { $0.name == "input" && $0["name"] == "question-\(i)" }
            #expect(q != nil && (q?["type"] ?? "text") == "text", "question-\(i)")
            #expect(!(q?.has("required") ?? true), "question-\(i) optional")
        }
        #expect(!tags.contains { $0["name"] == "question-2" })
        let file = tags.first { $0.name == "input" && $0["name"] == "attachments" }
        #expect(file?["type"] == "file" && file?.has("multiple") == true)
        for box in ["keep_location", "keep_capture_date"] {
            let t = tags.first { $0.name == "input" && $0["name"] == box }
            #expect(t?["type"] == "checkbox" && t?["value"] == "on", "\(box) checkbox with value on")
        }
        for t in tags where ["input", "textarea", "select"].contains(t.name) && !["hidden", "submit", "button"].contains(t["type"] ?? "") {
            #expect(Self.isLabelled(t, in: html, tags: tags), "no <label> for \(t)")
        }
        #expect(tags.contains { $0.name == "link" && $0["rel"] == "stylesheet" && $0["href"] == "/style.css" })
        let lower = html.lowercased()
        #expect(
            (lower.contains("remov") || lower.contains("strip"))
                && (lower.contains("cannot") || lower.contains("can't") || lower.contains("can not")),
            "a notice of what is stripped and what cannot be protected")

        let css = try server.get("/style.css")
        #expect(css.status == 200)
        #expect(css.header("Content-Type")?.lowercased().hasPrefix("text/css") == true)
        #expect(!css.body.isEmpty)
        #expect(!css.text.contains("http:") && !css.text.contains("https:") && !css.text.contains("@import"))

        let follow = try server.get("/followup")
        #expect(follow.status == 200)
        let ftags = PageReader.tags(follow.text)
        Self.expectNoScriptNoExternal(follow.text, "GET /followup")
        let fform = ftags.first { $0.name == "form" && $0["action"] == "/followup" }
        #expect(fform?["method"]?.lowercased() == "post")
        let receiptInput = ftags.first { $0.name == "input" && $0["name"] == "receipt" }
        #expect(receiptInput.map { Self.isLabelled($0, in: follow.text, tags: ftags) } == true, "receipt input with a label")
    }

    @Test("the opt-in checkboxes are absent when the policy does not allow them")
    func optInsFollowPolicy() throws {
        let server = try ServerUnderTest(policy: Self.policy(keepLocation: false, keepDate: false))
        let tags = PageReader.tags(try server.get("/").text)
        #expect(!tags.contains { $0["name"] == "keep_location" })
        #expect(!tags.contains { $0["name"] == "keep_capture_date" })
        #expect(tags.contains { $0["name"] == "attachments" })
    }

    /// The body Chromium sends for the form: every field, an empty question, the file.
    static func browserBody(message: String, file: (String, [UInt8])?) -> MultipartBody {
        var m = MultipartBody()
        m.boundary = "----WebKitFormBoundary" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        m.field("message", message)
        m.field("category", "safety")
        m.field("question-0", "")
        m.field("question-1", "")
        if let file { m.file(file.0, file.1, contentType: "image/jpeg") } else { m.file("", [], contentType: "application/octet-stream") }
        return m
    }

    @Test("POST /tips as a browser sends it gives the receipt page; /followup shows it and takes a message")
    func receiptPageAndFollowUp() throws {
        let server = try ServerUnderTest(policy: Self.policy())
        let jpeg = try Fixtures.gpsRotatedJPEG(in: server.work)
        let headers = [("Origin", "http://tipline.test"), ("Referer", "http://tipline.test/"), ("Accept", "text/html")]
        let r = try server.submit(
            Self.browserBody(message: "forklift keys under the mat", file: ("photo.jpg", jpeg.bytes)), path: "/tips", headers: headers)
        #expect(r.status == 200, "\(r.text.prefix(400))")
        #expect(r.header("Content-Type")?.lowercased() == "text/html; charset=utf-8")
        Self.expectNoScriptNoExternal(r.text, "receipt page")
        let receipt = try #require(PageReader.text(ofID: "receipt", in: r.text))
        #expect(PageReader.tags(r.text).contains { $0.name == "code" && $0["id"] == "receipt" })
        #expect(Contract.isWellFormedReceipt(receipt), "receipt \(receipt)")
        #expect(r.text.components(separatedBy: receipt).count == 2, "the receipt appears once")
        #expect(r.text.contains("location"), "the attachment list says location was removed")
        #expect(try server.tipCount() == 1)

        // Follow-up page, urlencoded like the GET /followup form, and multipart.
        let page = try RawConnection.postForm(port: server.port, "/followup", [("receipt", receipt)])
        #expect(page.status == 200, "\(page.text.prefix(300))")
        Self.expectNoScriptNoExternal(page.text, "follow-up page")
        let tags = PageReader.tags(page.text)
        let form = tags.first { $0.name == "form" && $0["action"] == "/followup/messages" }
        #expect(form?["method"]?.lowercased() == "post" && form?["enctype"]?.lowercased() == "multipart/form-data")
        #expect(tags.contains { $0.name == "input" && $0["type"] == "hidden" && $0["name"] == "receipt" })
        #expect(tags.contains { $0.name == "textarea" && $0["name"] == "message" })
        #expect(tags.contains { $0.name == "input" && $0["name"] == "attachments" && $0["type"] == "file" })
        for box in ["keep_location", "keep_capture_date"] { #expect(tags.contains { $0["name"] == box }, "\(box) on the follow-up form") }
        var multipart = MultipartBody()
        multipart.field("receipt", receipt)
        let page2 = try server.submit(multipart, path: "/followup")
        #expect(page2.status == 200)

        // An unknown well-formed receipt renders the same page (its own text aside).
        let other = Fixtures.randomReceipt()
        let unknown = try RawConnection.postForm(port: server.port, "/followup", [("receipt", other)])
        #expect(unknown.status == 200)
        let normalise = { (page: String, receipt: String) in
            page.replacingOccurrences(of: receipt, with: "RECEIPT").replacingOccurrences(
                of: receipt.replacingOccurrences(of: "-", with: ""), with: "RECEIPT")
        }
        #expect(normalise(unknown.text, other) == normalise(page.text, receipt), "no oracle for receipt guessing")

        // Sending a follow-up message through the page's form.
        var message = MultipartBody()
        message.field("receipt", receipt)
        message.field("message", "the van left this morning")
        message.file("", [], contentType: "application/octet-stream")
        let sent = try server.submit(message, path: "/followup/messages", headers: headers)
        #expect(sent.status == 200, "\(sent.text.prefix(300))")
        Self.expectNoScriptNoExternal(sent.text, "follow-up confirmation")
        let id = try #require(try server.listTips().first?["id"] as? String)
        let followUps = try server.showTip(id)["followUps"] as? [[String: Any]] ?? []
        #expect(followUps.map { $0["message"] as? String } == ["the van left this morning"])
    }

    @Test("a form with no file chosen (an empty filename part) is a tip without attachments")
    func noFileChosen() throws {
        let server = try ServerUnderTest(policy: Self.policy())
        let r = try server.submit(Self.browserBody(message: "no photo this time", file: nil), path: "/tips")
        #expect(r.status == 200, "\(r.text.prefix(300))")
        #expect(PageReader.text(ofID: "receipt", in: r.text).map(Contract.isWellFormedReceipt) == true)
        #expect(try server.listTips().first?["attachments"] as? Int == 0)
    }

    @Test("page errors are HTML with the API's status and a link back; unknown paths are 404")
    func errorPages() throws {
        let server = try ServerUnderTest(policy: Self.policy())
        var m = MultipartBody()
        m.field("category", "fraud")
        let r = try server.submit(m, path: "/tips")
        #expect(r.status == 422)
        #expect(r.header("Content-Type")?.lowercased().hasPrefix("text/html") == true)
        #expect(PageReader.tags(r.text).contains { $0.name == "a" && ($0["href"] ?? "").hasPrefix("/") }, "a link back")
        Self.expectNoScriptNoExternal(r.text, "error page")

        let bad = try RawConnection.postForm(port: server.port, "/followup", [("receipt", "not a receipt")])
        #expect(bad.status == 422)
        #expect(bad.header("Content-Type")?.lowercased().hasPrefix("text/html") == true)

        let page404 = try server.get("/nope")
        #expect(page404.status == 404)
        #expect(page404.header("Content-Type")?.lowercased().hasPrefix("text/html") == true)
        let api404 = try server.get("/api/v1/nope")
        #expect(api404.status == 404)
        #expect(api404.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(api404.errorCode != nil && api404.errorMessage != nil, "\(api404.text)")
    }
}
