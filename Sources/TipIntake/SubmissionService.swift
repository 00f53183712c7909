import NIOCore
import TiplineCrypto
import TiplineVault

/// POST /tips, /followup/messages and their API twins: admission (size, concurrency), the
/// receipt, the streaming pipeline, the commit. Whatever fails, nothing is stored.
struct SubmissionService: Sendable {
    let services: IntakeServices

    struct TipResult: Sendable {
        var receipt: Receipt
        var attachments: [SubmittedAttachment]
    }

    /// A new tip. Its receipt is made and derived only once the body was read, scrubbed and
    /// checked, so a refused upload costs no Argon2id; it is returned only after the commit
    /// (synchronous=FULL) returned.
    func submitTip<Body: AsyncSequence>(body: Body, contentType: String?, contentLength: Int?) async throws -> TipResult
    where Body.Element == ByteBuffer {
        let boundary = try admit(contentType: contentType, contentLength: contentLength)
        defer { services.uploads.release() }
        let services = self.services
        let pipeline = SubmissionPipeline(
            rules: FieldRules(kind: .tip, intake: services.policy.intake), redactor: services.redactor,
            maxRequestBytes: services.policy.intake.maxRequestBytes, openWriter: { _ in try await Self.openWriter(services) })
        do {
            let writer = try await pipeline.run(body: body, boundary: boundary)
            let fields = pipeline.fields
            let receipt = Receipt.generate()
            let keys = try await services.deriver.derive(receipt)
            let document = TipDocument(
                kind: .tip, message: fields.message ?? "", category: fields.category.flatMap { $0.isEmpty ? nil : $0 },
                answers: fields.answers, replyPublicKey: keys.replyPublicKey.bytes,
                attachments: pipeline.attachments.map(\.entry))
            _ = try await commit(writer, document, to: .newTip(lookupID: keys.lookupID))
            services.counters.add(\.tipsStored)
            return TipResult(receipt: receipt, attachments: pipeline.attachments)
        } catch {
            await pipeline.abort()
            throw count(error)
        }
    }

    /// A follow-up message. Its receipt is checked for form when it arrives and derived only
    /// after the body, so a well-formed receipt that matches no tip gets the same treatment
    /// (every file scrubbed, encrypted and staged, one fsync'd commit, the same answer); only
    /// at the commit is it set aside instead of kept: no oracle for guessers, by answer or time.
    func submitFollowUp<Body: AsyncSequence>(body: Body, contentType: String?, contentLength: Int?) async throws -> [SubmittedAttachment]
    where Body.Element == ByteBuffer {
        let boundary = try admit(contentType: contentType, contentLength: contentLength)
        defer { services.uploads.release() }
        let services = self.services
        let pipeline = SubmissionPipeline(
            rules: FieldRules(kind: .followUp, intake: services.policy.intake), redactor: services.redactor,
            maxRequestBytes: services.policy.intake.maxRequestBytes
        ) { fields in
            guard let text = fields.receipt else {
                throw IntakeError.invalidField("The receipt is missing or comes after the files; put it first and send again.")
            }
            _ = try ReceiptLookup.parse(text)
            try ReceiptLookup(services: services).payAttempt()  // a spent budget refuses before the files
            return try await Self.openWriter(services)
        }
        do {
            let writer = try await pipeline.run(body: body, boundary: boundary)
            let fields = pipeline.fields
            let keys = try await ReceiptLookup(services: services).derive(try ReceiptLookup.parse(fields.receipt ?? ""))
            let document = TipDocument(
                kind: .followUp, message: fields.message ?? "", attachments: pipeline.attachments.map(\.entry))
            let stored = try await commit(writer, document, to: .followUp(lookupID: keys.lookupID))
            services.counters.add(stored ? \.followUpsStored : \.followUpsDiscarded)
            return pipeline.attachments
        } catch {
            await pipeline.abort()
            throw count(error)
        }
    }

    /// The deferred composer every submission stages into, opened at its first file (or at the
    /// end): a body refused before that touches the vault not at all.
    private static func openWriter(_ services: IntakeServices) async throws -> SubmissionWriter {
        let recipient = try await services.currentRecipient()
        let vault = services.vault
        let composer = try await services.blocking { Unchecked(try TipComposer.deferred(vault: vault, recipients: [recipient])) }
        return SubmissionWriter(composer: composer.value, pool: services.pool)
    }

    /// Checks that come before reading any body byte.
    private func admit(contentType: String?, contentLength: Int?) throws(IntakeError) -> String {
        guard let boundary = MultipartReader.boundary(contentType: contentType) else {
            services.counters.add(\.refused)
            throw .malformed("The request must be multipart/form-data with a boundary; send it from the form.")
        }
        let limit = services.policy.intake.maxRequestBytes
        if let contentLength, contentLength > limit {
            services.counters.add(\.refused)
            throw .requestTooLarge(limit: limit)
        }
        guard services.uploads.tryAcquire() else {
            services.counters.add(\.overBudget)
            throw .overBudget(retryAfter: 5)
        }
        return boundary
    }

    private func commit(_ writer: SubmissionWriter, _ document: TipDocument, to destination: SubmissionWriter.Destination) async throws
        -> Bool
    {
        do {
            return try await writer.finish(document, to: destination)
        } catch {
            services.counters.add(\.internalErrors)
            throw IntakeError.notStored()
        }
    }

    private func count(_ error: Error) -> Error {
        if let intake = error as? IntakeError {
            // Budget refusals and internal failures are counted where they happen; a busy
            // redactor is a budget refusal too, found deep in the pipeline.
            switch intake.code {
            case .overBudget, .internal: break
            case .serverBusy: services.counters.add(\.overBudget)
            default: services.counters.add(\.refused)
            }
            return intake
        }
        services.counters.add(\.internalErrors)
        return IntakeError.notStored()
    }
}

/// Carries a non-Sendable value out of a thread-pool job that created it; the caller is its
/// only user from then on.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
