import Foundation
import TiplineCrypto

/// Triage and replies. Events are sealed to the newest agency key in `agency.pub` (every
/// investigator holding it can read them; the server cannot). A status change also leaves the
/// tipster a notice sealed to their reply key, so they see progress while the server learns nothing.
extension Investigation {
    /// The sealed bytes of one triage action: the event for the agency and, for a status or a
    /// reply, the notice for the tipster. Made apart from storing so `tipvault` can post them
    /// to the investigator service before keeping them in its cache.
    public struct SealedTriage: Sendable {
        public let event: [UInt8]
        public let notice: [UInt8]?
    }

    /// Records a triage event (status, assign, tag, untag, note).
    public func record(_ kind: TriageEvent.Kind, value: String, on tip: TipID) throws(VaultError) {
        let sealed = try seal(kind, value: value, on: tip)
        try vault.appendEvent(tip: tip, sealed: sealed.event, notice: sealed.notice)
    }

    public func seal(_ kind: TriageEvent.Kind, value: String, on tip: TipID) throws(VaultError) -> SealedTriage {
        try requireCurrentKey()
        let day = vault.today()
        let event = TriageEvent(tip: tip, kind: kind, value: value, by: investigator, day: day)
        var notice: [UInt8]?
        if kind == .status, let replyKey = try replyKey(tip, required: false) {
            notice = try seal(TipsterNotice(kind: .status, day: day, text: value), to: replyKey)
        }
        return SealedTriage(event: try sealForAgency(event), notice: notice)
    }

    /// Sends `message` to the tipster (sealed to their reply key) and keeps a copy for the record
    /// (a `reply` event sealed to the agency key), in one commit.
    public func reply(_ message: String, to tip: TipID) throws(VaultError) {
        let sealed = try sealReply(message, to: tip)
        try vault.appendEvent(tip: tip, sealed: sealed.event, notice: sealed.notice)
    }

    public func sealReply(_ message: String, to tip: TipID) throws(VaultError) -> SealedTriage {
        try requireCurrentKey()
        guard let replyKey = try replyKey(tip, required: true) else { throw .noReplyKey(tip: tip.text) }
        let day = vault.today()
        let notice = try seal(TipsterNotice(kind: .reply, day: day, text: message), to: replyKey)
        let event = TriageEvent(tip: tip, kind: .reply, value: message, by: investigator, day: day)
        return SealedTriage(event: try sealForAgency(event), notice: notice)
    }

    private func replyKey(_ tip: TipID, required: Bool) throws(VaultError) -> ReplyPublicKey? {
        guard let bytes = try mainDocument(tip).replyPublicKey else {
            if required { throw .noReplyKey(tip: tip.text) }
            return nil
        }
        do {
            return try ReplyPublicKey(bytes: bytes)
        } catch {
            throw .documentMalformed(tip: tip.text, reason: "its reply key is invalid (\(error.description))")
        }
    }

    /// Writes only by someone who holds the vault's current key (the newest in `agency.pub`):
    /// a keyring of another vault must not add records the agency's investigators cannot open.
    func requireCurrentKey() throws(VaultError) {
        guard let newest = try Vault.agencyPublicKeys(in: vault.directory).last else {
            throw .agencyKeyFileMissing(path: vault.directory.path)
        }
        guard keys.contains(where: { $0.publicKey == newest }) else { throw .currentKeyNotHeld(fingerprint: newest.fingerprint) }
    }

    private func sealForAgency(_ event: TriageEvent) throws(VaultError) -> [UInt8] {
        guard let newest = try Vault.agencyPublicKeys(in: vault.directory).last else {
            throw .agencyKeyFileMissing(path: vault.directory.path)
        }
        return SealedBox.seal(try SealedRecord.padded(event), to: newest)
    }

    private func seal(_ notice: TipsterNotice, to key: ReplyPublicKey) throws(VaultError) -> [UInt8] {
        SealedBox.seal(try SealedRecord.padded(notice), to: key)
    }
}
