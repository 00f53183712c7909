import Foundation
import Testing
import TiplineCrypto
import TiplineVault

@testable import TipIntake

/// Issue 10, item 10: the receipt is derived (Argon2id) only after the body was read, scrubbed
/// and checked, just before the commit, so a refused upload costs none; a stored tip or
/// follow-up costs exactly one. Counted by `IntakeCounters.derivations`, which the server
/// also logs at stop.
@Suite("Receipt derivation comes last")
struct UnitDeferredDerivationTests {
    static func outcome(_ run: () async throws -> Void) async -> IntakeError.Code? {
        do {
            try await run()
            return nil
        } catch let error as IntakeError {
            return error.code
        } catch {
            return .internal
        }
    }

    @Test("garbage, malformed, invalid and refused-file tips get their 4xx with no derivation; a valid tip derives once")
    func tipsDeriveLast() async throws {
        let unit = try UnitVault()
        let service = SubmissionService(services: unit.services)
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)
        func submit(_ body: [UInt8], contentType: String = UnitMultipartBody().contentType) async -> IntakeError.Code? {
            await Self.outcome {
                _ = try await service.submitTip(body: UnitMultipartBody.stream(body), contentType: contentType, contentLength: nil)
            }
        }
        #expect(await submit(Array(repeating: 0x41, count: 300_000)) == .malformedRequest)
        var unknown = UnitMultipartBody()
        unknown.field("message", "hi")
        unknown.field("name", "Jane")
        #expect(await submit(unknown.finished()) == .invalidField)
        var noMessage = UnitMultipartBody()
        noMessage.file("attachments", filename: "a.jpg", jpeg)
        #expect(await submit(noMessage.finished()) == .invalidField)
        var badFile = UnitMultipartBody()
        badFile.field("message", "look")
        badFile.file("attachments", filename: "a.jpg", jpeg)
        badFile.file("attachments", filename: "notes.jpg", Array("not a picture at all\n".utf8))
        #expect(await submit(badFile.finished()) == .unsupportedFile)
        #expect(await submit(Array(badFile.finished().dropLast(30))) == .malformedRequest)
        #expect(unit.services.counters.snapshot.derivations == 0)
        #expect(try unit.investigation.summaries().isEmpty)

        var good = UnitMultipartBody()
        good.field("message", "The river turned orange.")
        good.file("attachments", filename: "a.jpg", jpeg)
        #expect(await submit(good.finished()) == nil)
        #expect(unit.services.counters.snapshot.derivations == 1)
        #expect(try unit.investigation.summaries().count == 1)
    }

    @Test("a follow-up with a well-formed receipt but a refused body derives nothing; a complete one derives once")
    func followUpsDeriveLast() async throws {
        let unit = try UnitVault()
        let service = SubmissionService(services: unit.services)
        let receipt = Receipt.generate().displayText
        func followUp(_ fill: (inout UnitMultipartBody) -> Void) async -> IntakeError.Code? {
            var body = UnitMultipartBody()
            body.field("receipt", receipt)
            fill(&body)
            return await Self.outcome {
                _ = try await service.submitFollowUp(
                    body: UnitMultipartBody.stream(body.finished()), contentType: body.contentType, contentLength: nil)
            }
        }
        #expect(await followUp { $0.file("attachments", filename: "x.jpg", Array("plain text".utf8)) } == .unsupportedFile)
        #expect(await followUp { $0.field("colour", "red") } == .invalidField)
        #expect(await followUp { _ in } == .invalidField)  // no message
        #expect(unit.services.counters.snapshot.derivations == 0)
        #expect(unit.services.counters.snapshot.lookups == 0)

        #expect(await followUp { $0.field("message", "one more thing") } == nil)
        #expect(unit.services.counters.snapshot.derivations == 1)
        #expect(unit.services.counters.snapshot.followUpsDiscarded == 1)
    }

    @Test("a follow-up whose receipt matches no tip is staged and set aside, then swept; nothing of it is visible")
    func setAsideIsSwept() async throws {
        let unit = try UnitVault()
        let service = SubmissionService(services: unit.services)
        let jpeg = try UnitCorpus.bytes(UnitCorpus.gpsJPEG)
        var body = UnitMultipartBody()
        body.field("receipt", Receipt.generate().displayText)
        body.field("message", "anyone there?")
        body.file("attachments", filename: "a.jpg", jpeg)
        let answer = try await service.submitFollowUp(
            body: UnitMultipartBody.stream(body.finished()), contentType: body.contentType, contentLength: nil)
        #expect(answer.map(\.entry.name) == ["attachment-1.jpg"])
        #expect(try unit.investigation.summaries().isEmpty)
        #expect(try unit.services.vault.removeSetAsideUploads() == 1)
        #expect(try unit.services.vault.removeSetAsideUploads() == 0)
    }
}
