import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy
import TiplineRedaction
import TiplineVault

@testable import TipIntake

/// The whole submission path over a real vault: multipart stream → redaction → TipComposer →
/// commit, read back with the agency key exactly as `tipvault` does.
@Suite("Submission pipeline with a real vault and corpus JPEG")
struct UnitSubmissionPipelineTests {
    static func tipBody(files: [(String, [UInt8])], keepLocation: Bool = false) -> UnitMultipartBody {
        var body = UnitMultipartBody()
        body.field("message", "The river turned orange at night.\nTwice.")
        body.field("category", "environment")
        body.field("question-0", "Near the old mill")
        if keepLocation { body.field("keep_location", "on") }
        for (name, bytes) in files { body.file("attachments", filename: name, bytes) }
        return body
    }

    @Test("a tip with a GPS-tagged JPEG is committed; the stored file is exactly the scrubbed one")
    func tipCommitted() async throws {
        let unit = try UnitVault()
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)
        let body = Self.tipBody(files: [("DSCN0010.jpg", jpeg)])
        let service = SubmissionService(services: unit.services)
        let result = try await service.submitTip(
            body: UnitMultipartBody.stream(body.finished()), contentType: body.contentType, contentLength: nil)

        let expected = try Redactor(policy: RedactionPolicy()).redact(jpeg)
        #expect(result.attachments.count == 1)
        let attachment = try #require(result.attachments.first)
        #expect(attachment.clientName == "DSCN0010.jpg")
        #expect(attachment.entry.name == "attachment-1.jpg")
        #expect(attachment.entry.format == "jpeg")
        #expect(attachment.entry.bytes == expected.output.count)
        #expect(attachment.entry.removed == expected.report.removed.map(\.rawValue))
        #expect(attachment.entry.removed.contains("location"))

        let investigation = unit.investigation
        let summaries = try investigation.summaries()
        #expect(summaries.count == 1)
        let detail = try investigation.detail(summaries[0].id)
        #expect(detail.message == "The river turned orange at night.\nTwice.")
        #expect(detail.category == "environment")
        #expect(detail.answers == ["Where did this happen?": "Near the old mill"])
        #expect(detail.canReply)
        #expect(detail.attachments == [attachment.entry])

        let out = unit.root.appendingPathComponent("export")
        let files = try investigation.export(summaries[0].id, to: out)
        #expect(files.map(\.name) == ["attachment-1.jpg"])
        let exported = Array(try Data(contentsOf: out.appendingPathComponent("attachment-1.jpg")))
        #expect(exported == expected.output)
        #expect(exported != jpeg)

        // The receipt finds the tip: a reply written by the investigator is readable with it.
        try investigation.reply("Thanks, we are on it.", to: summaries[0].id)
        let view = try await FollowUpService(services: unit.services).view(receipt: result.receipt.displayText)
        #expect(view.replies.map(\.text) == ["Thanks, we are on it."])
        #expect(view.status == "received")
    }

    @Test("one bad file among good ones aborts the whole tip: 415 naming it, nothing stored")
    func badFileAbortsEverything() async throws {
        let unit = try UnitVault()
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)
        let body = Self.tipBody(files: [("good.jpg", jpeg), ("notes.txt", Array("just text, not an image".utf8))])
        let service = SubmissionService(services: unit.services)
        await #expect(throws: IntakeError.self) {
            try await service.submitTip(body: UnitMultipartBody.stream(body.finished()), contentType: body.contentType, contentLength: nil)
        }
        do {
            _ = try await service.submitTip(body: UnitMultipartBody.stream(body.finished()), contentType: body.contentType, contentLength: nil)
        } catch let error as IntakeError {
            #expect(error.code == .unsupportedFile)
            #expect(error.status.code == 415)
            #expect(error.file == "notes.txt")
        }
        #expect(try unit.investigation.summaries().isEmpty)
        #expect(unit.services.uploads.current == 0)
    }

    @Test("limits: unknown field, empty message, unknown category, too many files, truncated body")
    func refusals() async throws {
        var policy = UnitVault.testPolicy()
        policy.intake.maxAttachments = 1
        let unit = try UnitVault(policy: policy)
        let service = SubmissionService(services: unit.services)
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)

        func code(_ body: [UInt8], contentType: String = UnitMultipartBody().contentType, length: Int? = nil) async -> IntakeError.Code? {
            do {
                _ = try await service.submitTip(body: UnitMultipartBody.stream(body), contentType: contentType, contentLength: length)
                return nil
            } catch let error as IntakeError {
                return error.code
            } catch {
                return .internal
            }
        }
        var unknown = UnitMultipartBody()
        unknown.field("message", "hi")
        unknown.field("name", "Jane")
        #expect(await code(unknown.finished()) == .invalidField)

        var empty = UnitMultipartBody()
        empty.field("message", "  \n")
        #expect(await code(empty.finished()) == .invalidField)

        var category = UnitMultipartBody()
        category.field("message", "hi")
        category.field("category", "gossip")
        #expect(await code(category.finished()) == .invalidField)

        let two = Self.tipBody(files: [("a.jpg", jpeg), ("b.jpg", jpeg)])
        #expect(await code(two.finished()) == .tooManyAttachments)

        let whole = Self.tipBody(files: [("a.jpg", jpeg)]).finished()
        #expect(await code(Array(whole.dropLast(40))) == .malformedRequest)
        #expect(await code(whole, contentType: "application/json") == .malformedRequest)
        #expect(await code(whole, length: policy.intake.maxRequestBytes + 1) == .requestTooLarge)

        #expect(try unit.investigation.summaries().isEmpty)
    }

    @Test("a follow-up with a receipt that matches nothing is processed and discarded; a real one is stored")
    func followUps() async throws {
        let unit = try UnitVault()
        let service = SubmissionService(services: unit.services)
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)
        let tip = Self.tipBody(files: [])
        let result = try await service.submitTip(body: UnitMultipartBody.stream(tip.finished()), contentType: tip.contentType, contentLength: nil)

        func followUp(_ receipt: String) -> UnitMultipartBody {
            var body = UnitMultipartBody()
            body.field("receipt", receipt)
            body.field("message", "One more photo.")
            body.file("attachments", filename: "more.jpg", jpeg)
            return body
        }
        let stranger = followUp(Receipt.generate().displayText)
        let discarded = try await service.submitFollowUp(
            body: UnitMultipartBody.stream(stranger.finished()), contentType: stranger.contentType, contentLength: nil)
        let real = followUp(result.receipt.displayText)
        let stored = try await service.submitFollowUp(
            body: UnitMultipartBody.stream(real.finished()), contentType: real.contentType, contentLength: nil)
        #expect(discarded == stored)

        let summaries = try unit.investigation.summaries()
        #expect(summaries.count == 1)
        #expect(summaries[0].followUps == 1)
        let detail = try unit.investigation.detail(summaries[0].id)
        #expect(detail.followUps.map(\.message) == ["One more photo."])
        #expect(detail.followUps[0].attachments.map(\.name) == ["attachment-1.jpg"])

        let view = try await FollowUpService(services: unit.services).view(receipt: Receipt.generate().displayText)
        #expect(view == .empty)
        await #expect(throws: IntakeError.invalidField("Receipt check character does not match; a character was probably mistyped.")) {
            var text = Array(result.receipt.displayText)
            text[0] = text[0] == "A" ? "B" : "A"
            _ = try await FollowUpService(services: unit.services).view(receipt: String(text))
        }
    }

    @Test("opt-ins apply to the files after them; a follow-up's receipt after its files is refused")
    func fieldOrder() async throws {
        let unit = try UnitVault()
        let service = SubmissionService(services: unit.services)
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)

        var before = UnitMultipartBody()
        before.field("message", "keep where")
        before.field("keep_location", "on")
        before.file("attachments", filename: "a.jpg", jpeg)
        var after = UnitMultipartBody()
        after.field("message", "keep where, too late")
        after.file("attachments", filename: "a.jpg", jpeg)
        after.field("keep_location", "on")
        let kept = try await service.submitTip(body: UnitMultipartBody.stream(before.finished()), contentType: before.contentType, contentLength: nil)
        let stripped = try await service.submitTip(
            body: UnitMultipartBody.stream(after.finished()), contentType: after.contentType, contentLength: nil)
        #expect(kept.attachments[0].entry.kept.contains("location"))
        #expect(!kept.attachments[0].entry.removed.contains("location"))
        #expect(stripped.attachments[0].entry.removed.contains("location"))

        var late = UnitMultipartBody()
        late.field("message", "receipt last")
        late.file("attachments", filename: "a.jpg", jpeg)
        late.field("receipt", kept.receipt.displayText)
        do {
            _ = try await service.submitFollowUp(body: UnitMultipartBody.stream(late.finished()), contentType: late.contentType, contentLength: nil)
            Issue.record("a receipt after the files was accepted")
        } catch let error as IntakeError {
            #expect(error.code == .invalidField)
        }
        #expect(try unit.investigation.summaries().map(\.followUps) == [0, 0])
    }
}
