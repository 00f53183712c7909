import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TiplineCrypto
import TiplineVault

/// The investigator API (docs/investigator-openapi.yaml): ciphertext and coarse days out,
/// opaque sealed records in. Every route authenticates first; nothing here can open a tip.
struct InvestigatorRoutes: Sendable {
    static let prefix = "/investigator/v1"

    let services: IntakeServices
    let auth: InvestigatorAuth

    var vault: Vault { services.vault }

    func register(on router: Router<BasicRequestContext>) {
        router.get("\(Self.prefix)/changes") { request, _ in try await changes(request) }
        router.get("\(Self.prefix)/roster") { request, _ in
            _ = try await auth.authenticate(request)
            let bytes = (try? Data(contentsOf: auth.roster.directory.appendingPathComponent(InvestigatorRoster.rosterFileName))) ?? Data()
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.put("\(Self.prefix)/roster") { request, _ in try await replaceRoster(request) }
        router.get("\(Self.prefix)/tips/:id/envelopes/:seq") { request, context in
            try await envelope(request, tip: context.parameters.get("id"), seq: context.parameters.get("seq"))
        }
        router.post("\(Self.prefix)/tips/:id/purge") { request, context in try await purge(request, tip: context.parameters.get("id")) }
        for table in [Vault.SealedRecordTable.events, .notices] {
            router.post("\(Self.prefix)/tips/:id/\(table.rawValue)") { request, context in
                try await post(request, tip: context.parameters.get("id"), table: table)
            }
            router.get("\(Self.prefix)/tips/:id/\(table.rawValue)/:record") { request, context in
                try await record(request, tip: context.parameters.get("id"), id: context.parameters.get("record"), table: table)
            }
        }
    }

    /// Runs blocking vault work on the server's thread pool; vault failures are a 500.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do { return try await services.pool.runIfActive(body) } catch let error as InvestigatorError { throw error } catch {
            throw InvestigatorError.internalError
        }
    }

    static func tipID(_ text: String?) throws -> TipID {
        guard let text, let tip = TipID(text), tip.text == text else { throw InvestigatorError.notFound }
        return tip
    }

    func changes(_ request: Request) async throws -> Response {
        _ = try await auth.authenticate(request)
        let since = request.uri.queryParameters.get("since")
        if let since, !CoarseDay.isValid(since) { throw InvestigatorError.badRequest("since must be a day, yyyy-MM-dd.") }
        let vault = self.vault
        let tips = try await blocking { try vault.changes(since: since) }
        struct Body: Encodable {
            var rosterSequence: UInt64
            var since: String?
            var tips: [TipChanges]
        }
        return InvestigatorResponses.json(Body(rosterSequence: auth.roster.sequence, since: since, tips: tips), status: .ok)
    }

    func replaceRoster(_ request: Request) async throws -> Response {
        let caller = try await auth.authenticate(request, adminOnly: true)
        do {
            let roster = try auth.roster.replace(with: caller.body)
            struct Body: Encodable { var sequence: UInt64 }
            return InvestigatorResponses.json(Body(sequence: roster.roster.sequence), status: .ok)
        } catch let error as SignedFormatError {
            let status: HTTPResponse.Status =
                switch error {
                case .rosterSignerNotAdmin: .forbidden
                case .rosterSequenceNotHigher: .conflict
                default: .badRequest
                }
            throw InvestigatorError(status: status, code: .rosterRefused, message: "The roster was refused: \(error.description).")
        }
    }

    /// A sealed record must be one of FORMAT.md §11's sizes: a power-of-two bucket of at least
    /// 512 bytes plus the sealed box's 48.
    static func isRecordSize(_ count: Int) -> Bool {
        let plain = count - SealedBox.overhead
        return plain >= Padding.recordMinimum && Padding.recordLength(plain) == plain
    }

    func post(_ request: Request, tip text: String?, table: Vault.SealedRecordTable) async throws -> Response {
        let caller = try await auth.authenticate(request)
        let tip = try Self.tipID(text)
        guard Self.isRecordSize(caller.body.count) else {
            throw InvestigatorError(
                status: .unprocessableContent, code: .badRecordSize,
                message: "A sealed record is 512, 1024, 2048, … bytes of padded plaintext plus 48 (FORMAT.md §11).")
        }
        let (vault, body) = (self.vault, caller.body)
        guard let result = try await blocking({ try vault.storeSealedRecord(body, in: table, tip: tip) }) else {
            throw InvestigatorError.notFound
        }
        struct Body: Encodable {
            var id: String
            var stored: Bool
        }
        return InvestigatorResponses.json(Body(id: result.id, stored: result.stored), status: result.stored ? .created : .ok)
    }

    /// One stored sealed record's bytes by its content id, so a client can mirror what
    /// `changes` lists without the change list carrying every record.
    func record(_ request: Request, tip text: String?, id: String?, table: Vault.SealedRecordTable) async throws -> Response {
        _ = try await auth.authenticate(request)
        let tip = try Self.tipID(text)
        guard let id, id.utf8.count == 32, id.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw InvestigatorError.notFound
        }
        let vault = self.vault
        guard let sealed = try await blocking({ try vault.sealedRecord(id, in: table, tip: tip) }) else { throw InvestigatorError.notFound }
        return Response(
            status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: sealed)))
    }

    /// Admin only: deletes the tip with its envelopes, chunks, events and notices, then
    /// compacts (Vault.purge(tip:)). 200 also when compaction had to be left to the next sweep.
    func purge(_ request: Request, tip text: String?) async throws -> Response {
        _ = try await auth.authenticate(request, adminOnly: true)
        let tip = try Self.tipID(text)
        let vault = self.vault
        let deleted = try await blocking { () throws -> Bool in
            do { return try vault.purge(tip: tip) } catch VaultError.notCompacted { return true }
        }
        guard deleted else { throw InvestigatorError.notFound }
        struct Body: Encodable { var purged: Bool }
        return InvestigatorResponses.json(Body(purged: true), status: .ok)
    }
}
