import Testing
import TiplinePolicy
import TiplineVault

@testable import TipIntake

@Suite("HTML: escaping and the pages' shape")
struct UnitHTMLTests {
    @Test("escape turns the five significant characters into entities and leaves the rest")
    func escape() {
        #expect(
            HTML.escape(#"<script>alert("x")</script> & 'y' é"#)
                == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; é")
    }

    @Test("the form has lang, one label per input, the contract's field names, and no script")
    func formShape() {
        var policy = Policy()
        policy.intake.questions = ["Where <exactly>?"]
        let page = Pages(strings: IntakeStrings(), policy: policy).form()
        #expect(page.contains(#"<html lang="en">"#))
        #expect(page.contains(#"<form method="post" action="/tips" enctype="multipart/form-data">"#))
        for id in ["message", "category", "question-0", "attachments", "keep_location", "keep_capture_date"] {
            #expect(page.contains(#"for="\#(id)""#), "no label for \(id)")
            #expect(page.contains(#"name="\#(id)""#), "no input named \(id)")
        }
        #expect(page.contains("Where &lt;exactly&gt;?"))
        #expect(!page.lowercased().contains("<script"))
        #expect(!page.contains("http://") && !page.contains("https://"))
        // Opt-ins come before the file input, so browsers send them first.
        #expect(page.range(of: "keep_location")!.lowerBound < page.range(of: #"type="file""#)!.lowerBound)
    }

    @Test("the file field takes photos, videos and recordings and states every limit in MB before upload")
    func fileFieldAndLimits() {
        let page = Pages(strings: IntakeStrings(), policy: Policy()).form()
        #expect(page.contains(#"accept="image/*,video/*,audio/*""#))
        #expect(page.contains("Photos, videos or voice recordings (optional)"))
        #expect(
            page.contains(
                "Up to 10 files, 2,560 MB in all. Each photo up to 100 MB, each video up to 2,048 MB, each recording up to 512 MB."))
        var small = Policy()
        small.intake.maxAttachmentBytes = 50 << 20
        small.redaction.maxAudioBytes = 20 << 20
        let capped = Pages(strings: IntakeStrings(), policy: small).form()
        #expect(capped.contains("Each photo up to 50 MB, each video up to 50 MB, each recording up to 20 MB."))
    }

    @Test("opt-in boxes are hidden when the policy does not allow them")
    func optInsFollowPolicy() {
        var policy = Policy()
        policy.redaction.allowTipsterKeepLocation = false
        policy.redaction.allowTipsterKeepCaptureDate = false
        let page = Pages(strings: IntakeStrings(), policy: policy).form()
        #expect(!page.contains("keep_location"))
        #expect(!page.contains("keep_capture_date"))
    }

    @Test("the receipt page shows the receipt once and escapes the client's file name")
    func receiptPage() {
        let entry = AttachmentEntry(index: 0, name: "attachment-1.jpg", format: "jpeg", bytes: 10, removed: ["location"], kept: [])
        let page = Pages(strings: IntakeStrings(), policy: Policy()).receipt(
            "ABCDE-FGHJK", attachments: [SubmittedAttachment(clientName: "<b>me</b>.jpg", entry: entry)])
        #expect(page.components(separatedBy: "ABCDE-FGHJK").count == 2)
        #expect(page.contains(#"<code id="receipt">ABCDE-FGHJK</code>"#))
        #expect(page.contains("&lt;b&gt;me&lt;/b&gt;.jpg"))
        #expect(page.contains("Removed: location"))
    }

    @Test("an error page escapes the message and file and links back")
    func errorPage() {
        let error = IntakeError(.unsupportedFile, "Bad <file>.", file: "\"x\".png")
        let page = Pages(strings: IntakeStrings(), policy: Policy()).error(error, back: "/followup")
        #expect(page.contains("Bad &lt;file&gt;."))
        #expect(page.contains("&quot;x&quot;.png"))
        #expect(page.contains(#"<a href="/followup">"#))
    }
}
