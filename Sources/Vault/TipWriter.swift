import Foundation
import GRDB
import TiplineCrypto

/// One upload being written: a new tip or a tipster follow-up. Ciphertext pieces are gathered
/// into chunks of `chunkBytes` and staged as they come, so any size streams through bounded
/// memory; they stay invisible until `commit()` writes the envelope row in one transaction.
/// Not shared across tasks. Dropped without `commit()` it aborts, and a writer that dies
/// (even by SIGKILL) leaves chunks the next `Vault` open deletes.
public final class TipWriter {
    /// Ciphertext bytes per stored chunk row: large enough to keep row counts low, small
    /// enough that reading one is cheap.
    public static let chunkBytes = 256 * 1024

    enum Target { case newTip(lookupID: [UInt8]), followUp(tip: TipID) }

    let vault: Vault
    /// Settled at commit for a deferred upload (TipComposer+Deferred.swift).
    var target: Target
    private let header: [UInt8]
    let envelopeID: String
    var buffers: [Int64: [UInt8]] = [:]
    private var nextSeq: [Int64: Int] = [:]
    var finished = false

    init(vault: Vault, target: Target, header: [UInt8]) throws(VaultError) {
        self.vault = vault
        self.target = target
        self.header = header
        envelopeID = TipID.random().text
        let (id, session) = (envelopeID, try vault.session.id)
        try vault.stagingWrite("starting an upload") { db in
            try db.execute(sql: "INSERT INTO uploads (id, session) VALUES (?, ?)", arguments: [id, session])
        }
    }

    deinit { if !finished { abort() } }

    /// Appends ciphertext of one envelope part (any piece size; pieces of one part in order).
    public func append(_ part: EnvelopePart, ciphertext: [UInt8]) throws(VaultError) {
        var failure: VaultError?
        ciphertext.withUnsafeBytes { raw in
            do throws(VaultError) { try append(part, ciphertext: raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The same without copying the caller's buffer first.
    public func append(_ part: EnvelopePart, ciphertext: UnsafeRawBufferPointer) throws(VaultError) {
        guard !finished else { throw .writerFinished }
        let key = Self.partNumber(part)
        // Taken out of the dictionary so appending does not copy the whole buffer (copy-on-write).
        var buffer = buffers.removeValue(forKey: key) ?? []
        var rest = ciphertext[...]
        while !rest.isEmpty {
            let take = min(Self.chunkBytes - buffer.count, rest.count)
            buffer.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            if buffer.count == Self.chunkBytes {
                try flush(part: key, buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffers[key] = buffer
    }

    /// Makes the whole upload visible in one transaction with `synchronous=FULL`: when this
    /// returns the tip is on disk and its receipt may be shown. For a follow-up, returns the tip's id.
    public func commit() throws(VaultError) -> TipID {
        guard !finished else { throw .writerFinished }
        for (part, buffer) in buffers where !buffer.isEmpty { try flush(part: part, buffer) }
        buffers.removeAll()
        guard nextSeq[0] != nil else {
            abort()
            throw .partOutOfRange(part: "document (missing: a tip needs its document part)")
        }
        let (envelopeID, header, day) = (self.envelopeID, self.header, vault.today())
        let result: TipID
        switch target {
        case .newTip(let lookupID):
            let tip = TipID.random()
            do {
                try vault.durableWrite("committing a tip") { db in
                    if try Bool.fetchOne(db, sql: "SELECT 1 FROM tips WHERE lookup_id = ?", arguments: [Data(lookupID)]) == true {
                        throw VaultError.duplicateLookupID
                    }
                    try db.execute(
                        sql: "INSERT INTO tips (id, lookup_id, day) VALUES (?, ?, ?)",
                        arguments: [tip.text, Data(lookupID), day])
                    try Self.insertEnvelope(db, id: envelopeID, tip: tip, seq: 0, day: day, header: header)
                }
            } catch {
                abort()
                throw error
            }
            result = tip
        case .followUp(let tip):
            try vault.durableWrite("committing a follow-up") { db in
                let seq = try Int.fetchOne(db, sql: "SELECT max(seq) + 1 FROM envelopes WHERE tip_id = ?", arguments: [tip.text])
                guard let seq else { throw VaultError.tipNotFound(tip.text) }
                try Self.insertEnvelope(db, id: envelopeID, tip: tip, seq: seq, day: day, header: header)
            }
            result = tip
        }
        finished = true
        return result
    }

    /// Deletes what was staged; nothing of this upload ever becomes visible.
    public func abort() {
        guard !finished else { return }
        finished = true
        buffers.removeAll()
        let id = envelopeID
        // Best effort: if this fails, the next Vault open removes the upload (its session is dead by then).
        _ = try? vault.stagingWrite("aborting an upload") { db in
            try db.execute(sql: "DELETE FROM chunks WHERE envelope_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM uploads WHERE id = ?", arguments: [id])
        }
    }

    func flush(part: Int64, _ data: [UInt8]) throws(VaultError) {
        let seq = nextSeq[part, default: 0]
        let id = envelopeID
        try vault.stagingWrite("storing a chunk") { db in
            try db.execute(
                sql: "INSERT INTO chunks (envelope_id, part, seq, data) VALUES (?, ?, ?, ?)",
                arguments: [id, part, seq, Data(data)])
        }
        nextSeq[part] = seq + 1
    }

    private static func insertEnvelope(_ db: Database, id: String, tip: TipID, seq: Int, day: String, header: [UInt8]) throws {
        try db.execute(
            sql: "INSERT INTO envelopes (id, tip_id, seq, day, header) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, tip.text, seq, day, Data(header)])
        try db.execute(sql: "DELETE FROM uploads WHERE id = ?", arguments: [id])
    }

    /// Column value of a part: 0 for the document, i + 1 for attachment i.
    static func partNumber(_ part: EnvelopePart) -> Int64 {
        switch part {
        case .document: 0
        case .attachment(let index): Int64(index) + 1
        }
    }
}
