import Foundation
import TiplineCrypto
import TiplineVault

/// Receipt text → keys, paying the global attempt budget. A malformed receipt (bad
/// character, wrong length, wrong check character) is refused before it costs anything; a
/// well-formed one is refused (429) when the budget is spent or it is not drawn for a
/// derivation slot in time (`GuessLobby`), never queued behind a flood.
struct ReceiptLookup: Sendable {
    /// `Retry-After` when the look-up was not drawn: slots free up many times a second.
    static let queueFullRetrySeconds = 1

    let services: IntakeServices

    func keys(for text: String) async throws -> ReceiptKeys {
        let receipt = try Self.parse(text)
        try payAttempt()
        return try await derive(receipt)
    }

    /// The receipt's own check: cheap, and nothing is counted or derived.
    static func parse(_ text: String) throws(IntakeError) -> Receipt {
        do {
            return try Receipt(parsing: text)
        } catch {
            var message = error.description
            if let first = message.first { message = first.uppercased() + message.dropFirst() }
            throw IntakeError.invalidField(message + ".")
        }
    }

    /// One attempt from the global budget, or 429 at once. A follow-up pays when its receipt
    /// field arrives, so a spent budget refuses it before its files are uploaded.
    func payAttempt() throws(IntakeError) {
        if let wait = services.attempts.take() {
            services.counters.add(\.overBudget)
            throw IntakeError(
                .overBudget, "Too many receipt look-ups right now; try again in \(wait) seconds.", retryAfterSeconds: wait)
        }
    }

    /// The derivation of an attempt already paid for (`payAttempt`).
    func derive(_ receipt: Receipt) async throws -> ReceiptKeys {
        let keys: ReceiptKeys?
        do {
            keys = try await services.deriver.deriveGuess(receipt)
        } catch {
            services.counters.add(\.internalErrors)
            throw IntakeError(.internal, "The server could not check the receipt right now; try again later.")
        }
        guard let keys else {
            services.counters.add(\.overBudget)
            let wait = Self.queueFullRetrySeconds
            throw IntakeError(
                .overBudget, "Too many receipt look-ups right now; try again in \(wait) seconds.", retryAfterSeconds: wait)
        }
        services.counters.add(\.lookups)
        return keys
    }
}

/// What a tipster sees for a receipt: the status and the investigators' replies, oldest first.
/// A receipt that matches no tip gets exactly what a tip without replies gets.
struct FollowUpService: Sendable {
    let services: IntakeServices

    struct Reply: Sendable, Equatable, Codable {
        var day: String
        var text: String
    }

    struct View: Sendable, Equatable {
        var status: String
        var replies: [Reply]
        static let empty = View(status: "received", replies: [])
    }

    func view(receipt text: String) async throws -> View {
        let keys = try await ReceiptLookup(services: services).keys(for: text)
        let vault = services.vault
        let lookupID = keys.lookupID
        let tipster: TipsterView?
        do {
            tipster = try await services.pool.runIfActive { try vault.tipsterView(lookupID: lookupID) }
        } catch {
            services.counters.add(\.internalErrors)
            throw IntakeError(.internal, "The server could not check the receipt right now; try again later.")
        }
        guard let tipster else { return .empty }
        return Self.open(tipster.sealedNotices, with: keys.replySecretKey)
    }

    /// Notices that do not open or decode are skipped: they cannot be meant for this receipt.
    static func open(_ sealed: [[UInt8]], with key: ReplySecretKey) -> View {
        var view = View.empty
        let decoder = JSONDecoder()
        for ciphertext in sealed {
            guard let plain = try? SealedBox.open(ciphertext, with: key),
                let notice = plain.withUnsafeBytes({ try? decoder.decode(TipsterNotice.self, from: Data($0)) })
            else { continue }
            switch notice.kind {
            case .status: view.status = notice.text
            case .reply: view.replies.append(Reply(day: notice.day, text: notice.text))
            }
        }
        return view
    }
}
