import Dispatch
import Foundation
import TiplineCrypto

/// An investigator's view of the vault: the vault plus the agency secret keys their passphrase
/// unlocked (newest first). Everything that decrypts goes through here.
public final class Investigation: @unchecked Sendable {
    // @unchecked Sendable: all stored properties are immutable and themselves thread-safe
    // (Vault is Sendable; AgencySecretKey is immutable after creation).
    public let vault: Vault
    public let investigator: String
    let keys: [AgencySecretKey]

    public init(vault: Vault, keys: [AgencySecretKey], investigator: String) {
        self.vault = vault
        self.keys = keys
        self.investigator = investigator
    }

    func reader(header: [UInt8], tip: TipID) throws(VaultError) -> EnvelopeReader {
        try Self.reader(header: header, tip: tip, keys: keys)
    }

    /// Opens an envelope header with whichever key it was sealed to.
    static func reader(header: [UInt8], tip: TipID, keys: [AgencySecretKey]) throws(VaultError) -> EnvelopeReader {
        for key in keys {
            do {
                return try EnvelopeReader(header: header, secretKey: key)
            } catch .notARecipient {
                continue
            } catch {
                throw .partCorrupted(tip: tip.text, part: "envelope header", reason: error.description)
            }
        }
        throw .noKeyOpensTip(tip: tip.text)
    }

    /// Decrypts a whole part held in memory (documents are small).
    static func decrypt(_ ciphertext: [UInt8], part: EnvelopePart, reader: EnvelopeReader, tip: TipID) throws(VaultError) -> [UInt8] {
        let decryptor = reader.decryptor(for: part)
        do {
            var plain = try decryptor.push(ciphertext)
            try decryptor.finish()
            defer { plain.removeAll() }
            return plain
        } catch {
            throw .partCorrupted(tip: tip.text, part: Self.name(part), reason: error.description)
        }
    }

    func document(_ ciphertext: [UInt8], reader: EnvelopeReader, tip: TipID) throws(VaultError) -> TipDocument {
        try Self.document(ciphertext, reader: reader, tip: tip)
    }

    /// The document of envelope `seq`, which must be of the kind that seq holds: the tip's own
    /// (`tip`) at 0, a follow-up after. A follow-up's document shown as the tip's message is
    /// wrong content presented as right, so a mismatch is damage.
    func document(_ ciphertext: [UInt8], reader: EnvelopeReader, tip: TipID, seq: Int) throws(VaultError) -> TipDocument {
        let document = try Self.document(ciphertext, reader: reader, tip: tip)
        let expected: TipDocument.Kind = seq == 0 ? .tip : .followUp
        guard document.kind == expected else {
            throw .tipDamaged(
                tip: tip.text,
                reason: seq == 0 ? "its first envelope holds a follow-up, not the tip" : "follow-up \(seq) holds a tip's document")
        }
        return document
    }

    static func document(_ ciphertext: [UInt8], reader: EnvelopeReader, tip: TipID) throws(VaultError) -> TipDocument {
        let plain = try decrypt(ciphertext, part: .document, reader: reader, tip: tip)
        do {
            let document = try JSONDecoder().decode(TipDocument.self, from: Data(plain))
            guard document.version == TipDocument.currentVersion else {
                throw VaultError.documentMalformed(tip: tip.text, reason: "document version \(document.version) is not supported")
            }
            return document
        } catch let error as VaultError {
            throw error
        } catch {
            throw .documentMalformed(tip: tip.text, reason: "not a Tipline tip document")
        }
    }

    /// Opens sealed events, newest key first, and checks each names its own tip, that none is
    /// missing (seq 1, 2, … without a gap: a lost status event would silently change the
    /// status), and that its day and status are what `tipvault` writes.
    func events(_ rows: [(seq: Int, sealed: [UInt8])], tip: TipID) throws(VaultError) -> [TriageEvent] {
        var events: [TriageEvent] = []
        for (i, row) in rows.enumerated() {
            guard row.seq == i + 1 else { throw .tipDamaged(tip: tip.text, reason: "triage event \(i + 1) is missing") }
            guard let plain = keys.lazy.compactMap({ try? SealedBox.open(row.sealed, with: $0) }).first else {
                throw .eventCorrupted(tip: tip.text, seq: row.seq)
            }
            guard let event = SealedRecord.decode(TriageEvent.self, from: plain.withUnsafeBytes { [UInt8]($0) }) else {
                throw .eventCorrupted(tip: tip.text, seq: row.seq)
            }
            guard event.tip == tip.text else { throw .eventMisplaced(tip: tip.text, seq: row.seq) }
            guard CoarseDay.isValid(event.day), event.kind != .status || TipStatus(rawValue: event.value) != nil else {
                throw .eventCorrupted(tip: tip.text, seq: row.seq)
            }
            events.append(event)
        }
        return events
    }

    static func name(_ part: EnvelopePart) -> String {
        switch part {
        case .document: "document"
        case .attachment(let i): "attachment \(i + 1)"
        }
    }

    /// Runs `body` for 0..<count on every core; results keep their order.
    static func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let box = ResultsBox(results)
        let workers = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount * 4))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < count {
                box.buffer[i] = body(i)
                i += workers
            }
        }
        return results.map { $0! }
    }
}

/// @unchecked Sendable: each worker writes disjoint indices of the buffer, and the buffer
/// outlives `concurrentPerform`, which returns only when every worker is done.
private final class ResultsBox<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
    init(_ buffer: UnsafeMutableBufferPointer<T?>) { self.buffer = buffer }
}
