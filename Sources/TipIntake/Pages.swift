import Foundation
import TiplinePolicy

/// The HTML pages, built from the policy and the strings table. Every input has a label;
/// nothing dynamic is written without `HTML.escape`.
struct Pages: Sendable {
    let strings: IntakeStrings
    let policy: Policy

    private func s(_ key: String) -> String { HTML.escape(strings[key]) }

    /// "Up to 10 files. Each photo up to 100 MB, each video up to 2,048 MB, …", from the policy,
    /// so a tipster knows before uploading. MB here are MiB, as browsers and phones count them.
    func limits() -> String {
        let r = policy.redaction
        let cap = policy.intake.maxAttachmentBytes
        func mb(_ bytes: Int, capped: Bool = true) -> String {
            let n = (capped ? min(bytes, cap) : bytes) >> 20
            return n >= 1000 ? "\(n / 1000),\(String(format: "%03d", n % 1000)) MB" : "\(n) MB"
        }
        return strings["form.attachments.limits"]
            .replacingOccurrences(of: "{count}", with: "\(policy.intake.maxAttachments)")
            .replacingOccurrences(of: "{photo}", with: mb(r.maxFileBytes))
            .replacingOccurrences(of: "{video}", with: mb(r.maxVideoBytes))
            .replacingOccurrences(of: "{audio}", with: mb(r.maxAudioBytes))
            .replacingOccurrences(of: "{total}", with: mb(policy.intake.maxRequestBytes, capped: false))
    }

    /// GET /: the tip form. Opt-in boxes come before the file input so browsers send them first.
    func form() -> String {
        let intake = policy.intake
        let categories = intake.categories.map { "<option value=\"\(HTML.escape($0))\">\(HTML.escape($0))</option>" }.joined()
        var questions = ""
        if !intake.questions.isEmpty {
            questions =
                "<h2>\(s("form.questions.heading"))</h2>\n"
                + intake.questions.enumerated().map { index, question in
                    "<label for=\"question-\(index)\">\(HTML.escape(question))</label>\n<input type=\"text\" id=\"question-\(index)\" name=\"question-\(index)\">"
                }.joined(separator: "\n")
        }
        let body = """
            <h1>\(s("form.heading"))</h1>
            \(HTML.paragraph(strings["form.intro"]))
            <form method="post" action="/tips" enctype="multipart/form-data">
            <label for="message">\(s("form.message.label"))</label>
            <textarea id="message" name="message" required maxlength="\(intake.maxMessageBytes)"></textarea>
            <label for="category">\(s("form.category.label"))</label>
            <select id="category" name="category"><option value="">\(s("form.category.none"))</option>\(categories)</select>
            \(questions)
            \(optIns())
            <label for="attachments">\(s("form.attachments.label"))</label>
            <input type="file" id="attachments" name="attachments" multiple accept="image/*,video/*,audio/*">
            \(HTML.paragraph(strings["form.attachments.help"], class: "help"))
            \(HTML.paragraph(limits(), class: "help"))
            <button type="submit">\(s("form.submit"))</button>
            </form>
            \(notice())
            <p><a href="/followup">\(s("nav.followup"))</a></p>
            """
        return HTML.page(title: strings["form.heading"], strings: strings, body: body)
    }

    /// The keep_location / keep_capture_date boxes the policy allows (none: nothing shown).
    private func optIns() -> String {
        var boxes: [String] = []
        if policy.redaction.allowTipsterKeepLocation {
            boxes.append(
                "<label class=\"check\" for=\"keep_location\"><input type=\"checkbox\" id=\"keep_location\" name=\"keep_location\" value=\"on\"> \(s("form.keep_location.label"))</label>"
            )
        }
        if policy.redaction.allowTipsterKeepCaptureDate {
            boxes.append(
                "<label class=\"check\" for=\"keep_capture_date\"><input type=\"checkbox\" id=\"keep_capture_date\" name=\"keep_capture_date\" value=\"on\"> \(s("form.keep_capture_date.label"))</label>"
            )
        }
        guard !boxes.isEmpty else { return "" }
        return "<fieldset><legend>\(s("form.options.heading"))</legend>\n\(boxes.joined(separator: "\n"))\n</fieldset>"
    }

    private func notice() -> String {
        """
        <section class="notice">
        <h2>\(s("notice.heading"))</h2>
        \(HTML.paragraph(strings["notice.strips"]))
        \(HTML.paragraph(strings["notice.cannot"]))
        </section>
        """
    }

    /// POST /tips: the receipt, once, and what was done to each file.
    func receipt(_ receipt: String, attachments: [SubmittedAttachment]) -> String {
        let body = """
            <h1>\(s("receipt.heading"))</h1>
            \(HTML.paragraph(strings["receipt.intro"]))
            <code id="receipt">\(HTML.escape(receipt))</code>
            <h2>\(s("receipt.files.heading"))</h2>
            \(files(attachments))
            \(HTML.paragraph(strings["receipt.followup"]))
            <p><a href="/followup">\(s("nav.followup"))</a></p>
            """
        return HTML.page(title: strings["receipt.heading"], strings: strings, body: body)
    }

    private func files(_ attachments: [SubmittedAttachment]) -> String {
        guard !attachments.isEmpty else { return HTML.paragraph(strings["receipt.no_files"]) }
        let nothing = strings["receipt.nothing"]
        let items = attachments.map { a in
            let removed = a.entry.removed.isEmpty ? nothing : a.entry.removed.joined(separator: ", ")
            let kept = a.entry.kept.isEmpty ? nothing : a.entry.kept.joined(separator: ", ")
            return "<li><strong>\(HTML.escape(a.clientName))</strong> (\(HTML.escape(a.entry.format)), \(a.entry.bytes) bytes)<br>"
                + "\(s("receipt.removed")): \(HTML.escape(removed))<br>\(s("receipt.kept")): \(HTML.escape(kept))</li>"
        }
        return "<ul class=\"files\">\n\(items.joined(separator: "\n"))\n</ul>"
    }

    /// GET /followup: the receipt form.
    func followUpForm() -> String {
        let body = """
            <h1>\(s("followup.heading"))</h1>
            \(HTML.paragraph(strings["followup.intro"]))
            <form method="post" action="/followup">
            <label for="receipt">\(s("followup.receipt.label"))</label>
            <input type="text" id="receipt" name="receipt" required autocomplete="off" autocapitalize="characters" spellcheck="false">
            <button type="submit">\(s("followup.submit"))</button>
            </form>
            <p><a href="/">\(s("nav.home"))</a></p>
            """
        return HTML.page(title: strings["followup.heading"], strings: strings, body: body)
    }

    /// POST /followup: status, replies, and the form to add more (receipt carried hidden, first).
    func followUpView(_ view: FollowUpService.View, receipt: String) -> String {
        let replies =
            view.replies.isEmpty
            ? HTML.paragraph(strings["followup.no_replies"])
            : view.replies.map { "<div class=\"reply\"><p class=\"help\">\(HTML.escape($0.day))</p><p>\(HTML.multiline($0.text))</p></div>" }
                .joined(separator: "\n")
        let body = """
            <h1>\(s("followup.heading"))</h1>
            <p>\(s("followup.status.label")): <strong id="status">\(HTML.escape(view.status))</strong></p>
            <h2>\(s("followup.replies.heading"))</h2>
            \(replies)
            <h2>\(s("followup.message.heading"))</h2>
            <form method="post" action="/followup/messages" enctype="multipart/form-data">
            <input type="hidden" name="receipt" value="\(HTML.escape(receipt))">
            <label for="message">\(s("followup.message.label"))</label>
            <textarea id="message" name="message" required maxlength="\(policy.intake.maxMessageBytes)"></textarea>
            \(optIns())
            <label for="attachments">\(s("form.attachments.label"))</label>
            <input type="file" id="attachments" name="attachments" multiple accept="image/*,video/*,audio/*">
            <button type="submit">\(s("followup.message.submit"))</button>
            </form>
            \(notice())
            """
        return HTML.page(title: strings["followup.heading"], strings: strings, body: body)
    }

    /// POST /followup/messages: the same confirmation whether or not the receipt matched.
    func followUpSent(attachments: [SubmittedAttachment]) -> String {
        let body = """
            <h1>\(s("followup.sent.heading"))</h1>
            \(HTML.paragraph(strings["followup.sent.body"]))
            <h2>\(s("receipt.files.heading"))</h2>
            \(files(attachments))
            <p><a href="/followup">\(s("nav.followup"))</a></p>
            """
        return HTML.page(title: strings["followup.sent.heading"], strings: strings, body: body)
    }

    /// Any refusal: the message, the file if one caused it, a way back.
    func error(_ error: IntakeError, back: String) -> String {
        let heading = error.code == .notFound ? strings["notfound.heading"] : strings["error.heading"]
        let file = error.file.map { "<p>\(s("error.file")): <strong>\(HTML.escape($0))</strong></p>" } ?? ""
        let body = """
            <h1>\(HTML.escape(heading))</h1>
            <div class="error">
            \(HTML.paragraph(error.message))
            \(file)
            </div>
            <p><a href="\(HTML.escape(back))">\(s("error.back"))</a></p>
            """
        return HTML.page(title: heading, strings: strings, body: body)
    }
}
