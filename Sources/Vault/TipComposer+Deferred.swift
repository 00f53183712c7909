import Foundation
import GRDB
import TiplineCrypto

/// Uploads whose receipt is derived only after the body was read, scrubbed and checked, just
/// before the commit: a refused upload then costs no Argon2id, and a follow-up stages exactly
/// the same bytes whether or not its receipt matches a tip (nothing about the receipt is known
/// while the body streams), so its timing cannot confirm a receipt.
///
///     let composer = try TipComposer.deferred(vault: vault, recipients: [newestKey])
///     ... attachments as usual ...
///     let stored = try composer.finishFollowUp(document: document, lookupID: keys.lookupID)
extension TipComposer {
    /// A new tip or follow-up whose destination is settled at commit (`finishTip`,
    /// `finishFollowUp`); plain `finish(document:)` must not be used on it.
    public static func deferred(vault: Vault, recipients: [AgencyPublicKey]) throws(VaultError) -> TipComposer {
        let envelope = try Self.envelope(recipients)
        // A placeholder the commit replaces: no row carries it, `finishTip` sets the real one.
        let writer = try TipWriter(vault: vault, target: .newTip(lookupID: []), header: envelope.header)
        return TipComposer(writer: writer, envelope: envelope)
    }

    /// Commits as a new tip under `lookupID`; durable when this returns.
    public func finishTip(document: TipDocument, lookupID: [UInt8]) throws(VaultError) -> TipID {
        writer.target = .newTip(lookupID: lookupID)
        return try finish(document: document)
    }

    /// Commits as a follow-up on the tip with `lookupID`. With no such tip the upload is set
    /// aside instead, by a durable (fsync'd) write of the same shape, and nil is returned; its
    /// chunks are deleted later by `removeSetAsideUploads()` (or the next open), not while the
    /// tipster waits, so both answers cost the same.
    public func finishFollowUp(document: TipDocument, lookupID: [UInt8]) throws(VaultError) -> TipID? {
        try sealDocument(document)
        guard let tip = try writer.vault.tipID(lookupID: lookupID) else {
            try writer.setAside()
            return nil
        }
        writer.target = .followUp(tip: tip)
        return try writer.commit()
    }
}

extension TipWriter {
    /// The `uploads.session` of a set-aside upload: never a live session's id (those are tip
    /// ids), so `removeDeadUploads` at the next open treats it as dead too.
    static let setAsideSession = "set-aside"

    /// Stages what is still buffered and marks the upload set aside, as `commit()` would stage
    /// and commit it, then counts as finished: nothing of it ever becomes visible.
    func setAside() throws(VaultError) {
        guard !finished else { throw .writerFinished }
        for (part, buffer) in buffers where !buffer.isEmpty { try flush(part: part, buffer) }
        buffers.removeAll()
        let (id, session) = (envelopeID, Self.setAsideSession)
        do {
            try vault.durableWrite("setting aside a follow-up") { db in
                try db.execute(sql: "UPDATE uploads SET session = ? WHERE id = ?", arguments: [session, id])
            }
        } catch {
            abort()
            throw error
        }
        finished = true
    }
}

extension Vault {
    /// Deletes set-aside uploads and their chunks (zeroed: `secure_delete`). The intake server
    /// calls it on a timer, so the cost never lands on the answer to the follow-up itself.
    /// Returns how many uploads went.
    @discardableResult
    public func removeSetAsideUploads() throws(VaultError) -> Int {
        let session = TipWriter.setAsideSession
        return try stagingWrite("removing set-aside uploads") { db in
            try db.execute(
                sql: "DELETE FROM chunks WHERE envelope_id IN (SELECT id FROM uploads WHERE session = ?)", arguments: [session])
            try db.execute(sql: "DELETE FROM uploads WHERE session = ?", arguments: [session])
            return db.changesCount
        }
    }
}
