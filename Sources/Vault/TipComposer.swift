import Foundation
import TiplineCrypto

/// Writes a tip (or a follow-up) exactly as the intake server does: an `EnvelopeWriter` sealed
/// to the agency keys, one secretstream per attachment fed piece by piece, the document last
/// (it carries the redaction reports), then one commit. Memory stays bounded whatever the sizes:
/// each piece is encrypted and staged as it arrives.
///
///     let composer = try TipComposer(vault: vault, lookupID: keys.lookupID, recipients: [newestKey])
///     try composer.beginAttachment(0); try composer.push(piece); ...; try composer.endAttachment()
///     let id = try composer.finish(document: document)
public final class TipComposer {
    let writer: TipWriter
    private let envelope: EnvelopeWriter
    private var current: (index: UInt32, encryptor: StreamEncryptor, bytes: Int)?
    private var written: Set<UInt32> = []

    /// A new tip. `recipients` is normally `[Vault.agencyPublicKeys(in:).last!]`.
    public convenience init(vault: Vault, lookupID: [UInt8], recipients: [AgencyPublicKey]) throws(VaultError) {
        let envelope = try Self.envelope(recipients)
        try self.init(writer: vault.beginTip(lookupID: lookupID, envelopeHeader: envelope.header), envelope: envelope)
    }

    /// A follow-up on the tip with `lookupID`; nil when no tip has it.
    public static func followUp(vault: Vault, lookupID: [UInt8], recipients: [AgencyPublicKey]) throws(VaultError) -> TipComposer? {
        let envelope = try Self.envelope(recipients)
        guard let writer = try vault.beginFollowUp(lookupID: lookupID, envelopeHeader: envelope.header) else { return nil }
        return TipComposer(writer: writer, envelope: envelope)
    }

    init(writer: TipWriter, envelope: EnvelopeWriter) {
        self.writer = writer
        self.envelope = envelope
    }

    static func envelope(_ recipients: [AgencyPublicKey]) throws(VaultError) -> EnvelopeWriter {
        do {
            return try EnvelopeWriter(recipients: recipients)
        } catch {
            throw .crypto(operation: "sealing the tip's file key", reason: error.description)
        }
    }

    /// Starts attachment `index` (its `AttachmentEntry.index`); one attachment at a time.
    public func beginAttachment(_ index: UInt32) throws(VaultError) {
        guard current == nil, !written.contains(index) else { throw .partOutOfRange(part: "attachment \(index) (already started)") }
        current = (index, envelope.encryptor(for: .attachment(index)), 0)
    }

    /// Encrypts and stages the next piece of the current attachment.
    public func push(_ bytes: UnsafeRawBufferPointer) throws(VaultError) {
        guard let (index, encryptor, count) = current else { throw .partOutOfRange(part: "attachment (none started)") }
        let ciphertext = encryptor.push(bytes)
        current = (index, encryptor, count + bytes.count)
        if !ciphertext.isEmpty { try writer.append(.attachment(index), ciphertext: ciphertext) }
    }

    public func push(_ bytes: [UInt8]) throws(VaultError) {
        var failure: VaultError?
        bytes.withUnsafeBytes { raw in
            do throws(VaultError) { try push(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Finishes the current attachment; returns its plaintext size for the `AttachmentEntry`.
    @discardableResult
    public func endAttachment() throws(VaultError) -> Int {
        guard let (index, encryptor, count) = current else { throw .partOutOfRange(part: "attachment (none started)") }
        try encryptor.finish { (piece) throws(VaultError) in try writer.append(.attachment(index), ciphertext: piece) }
        written.insert(index)
        current = nil
        return count
    }

    /// Encrypts `document` and commits the whole envelope in one transaction; when this returns
    /// the tip is durable. For a follow-up, returns the tip's id.
    public func finish(document: TipDocument) throws(VaultError) -> TipID {
        try sealDocument(document)
        return try writer.commit()
    }

    /// Encrypts and stages the document, the last part of every envelope.
    func sealDocument(_ document: TipDocument) throws(VaultError) {
        guard current == nil else { throw .partOutOfRange(part: "attachment (still open at finish)") }
        let json: [UInt8]
        do {
            json = Array(try JSONEncoder().encode(document))
        } catch {
            throw .documentMalformed(tip: "(new)", reason: "cannot encode the document")
        }
        let encryptor = envelope.encryptor(for: .document)
        try writer.append(.document, ciphertext: encryptor.push(json))
        try writer.append(.document, ciphertext: encryptor.finish())
    }

    /// Drops everything written so far; nothing becomes visible.
    public func abort() { writer.abort() }
}
