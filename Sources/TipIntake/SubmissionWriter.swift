import NIOPosix
import TiplinePolicy
import TiplineRedaction
import TiplineVault

/// Where one submission's attachments go: redaction, then the uncommitted, deferred
/// `TipComposer` (padded, encrypted, staged), so no plaintext byte touches the disk. Where the
/// submission goes is settled only by `finish`, after the receipt was derived: a follow-up
/// whose receipt matches no tip did exactly the same work and writes, and is set aside there,
/// so neither the answer nor its timing tells a guesser whether the receipt exists.
///
/// Every call runs on the blocking thread pool: scrubbing is CPU work and vault writes wait on
/// SQLite's writer lock and fsync; neither may hold one of Swift concurrency's few threads.
/// Calls come one at a time from the submission's task, hence `@unchecked Sendable`.
final class SubmissionWriter: @unchecked Sendable {
    enum Failure: Error {
        case redaction(RedactionError)
        case vault(VaultError)
    }

    /// Where a finished submission goes.
    enum Destination: Sendable {
        case newTip(lookupID: [UInt8])
        case followUp(lookupID: [UInt8])
    }

    private let composer: TipComposer
    private let pool: NIOThreadPool
    private var session: RedactionSession?
    private var finished = false

    init(composer: TipComposer, pool: NIOThreadPool) {
        self.composer = composer
        self.pool = pool
    }

    func begin(_ index: UInt32, redactor: Redactor, keepLocation: Bool, keepCaptureDate: Bool) async throws {
        try await run {
            $0.session = redactor.makeSession(keepLocation: keepLocation, keepCaptureDate: keepCaptureDate)
            do throws(VaultError) { try $0.composer.beginAttachment(index) } catch { throw Failure.vault(error) }
        }
    }

    /// Scrubs the next raw piece and stages the clean bytes it releases.
    func feed(_ raw: [UInt8]) async throws {
        try await run {
            let clean: [UInt8]
            do throws(RedactionError) { clean = try $0.session!.consume(raw) } catch { throw Failure.redaction(error) }
            do throws(VaultError) { if !clean.isEmpty { try $0.composer.push(clean) } } catch { throw Failure.vault(error) }
        }
    }

    /// Ends the current file: the verifier's verdict, the last clean bytes (a rebuilt movie:
    /// all of it, handed over in pieces of about 256 KiB), the scrubbed size.
    func end() async throws -> (bytes: Int, report: RedactionReport) {
        try await run { writer -> (bytes: Int, report: RedactionReport) in
            var storageFailure: VaultError?
            let report: RedactionReport
            do throws(RedactionError) {
                report = try writer.session!.finish { (piece) throws(RedactionError) in
                    do throws(VaultError) {
                        try writer.composer.push(piece)
                    } catch {
                        storageFailure = error
                        throw .spoolFailed(reason: "the vault could not take the file")
                    }
                }
            } catch {
                if let storageFailure { throw Failure.vault(storageFailure) }
                throw Failure.redaction(error)
            }
            writer.session = nil
            do throws(VaultError) {
                return (try writer.composer.endAttachment(), report)
            } catch { throw Failure.vault(error) }
        }
    }

    /// Commits (synchronous=FULL); when this returns the submission is durable. False when a
    /// follow-up's receipt matched no tip and it was set aside instead (same work, same writes).
    func finish(_ document: TipDocument, to destination: Destination) async throws -> Bool {
        try await run { writer -> Bool in
            writer.finished = true
            do throws(VaultError) {
                switch destination {
                case .newTip(let lookupID):
                    _ = try writer.composer.finishTip(document: document, lookupID: lookupID)
                    return true
                case .followUp(let lookupID):
                    return try writer.composer.finishFollowUp(document: document, lookupID: lookupID) != nil
                }
            } catch { throw Failure.vault(error) }
        }
    }

    /// Drops everything staged; safe to call more than once and after `finish` (then a no-op).
    func abort() async {
        _ = try? await run {
            guard !$0.finished else { return }
            $0.finished = true
            $0.composer.abort()
        }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (SubmissionWriter) throws -> T) async throws -> T {
        try await pool.runIfActive { [self] in try body(self) }
    }
}
