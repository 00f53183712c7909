import Foundation
import GRDB
import TiplineCrypto

/// What the investigator service (issue 11) reads from the vault: ciphertext and coarse days
/// only, never an arrival order. Tips come sorted by their random id; a cursor is a coarse day
/// and clients learn deletions by diffing the id sets they receive.
public struct TipChanges: Sendable, Equatable, Codable {
    public struct Part: Sendable, Equatable, Codable {
        /// 0 = document, i + 1 = attachment i (FORMAT.md §3).
        public var part: Int64
        /// Stored ciphertext bytes (padded, FORMAT.md §7–8).
        public var bytes: Int
    }

    public struct Envelope: Sendable, Equatable, Codable {
        /// 0 = the tip itself, 1, 2, … = the tipster's follow-ups.
        public var seq: Int
        public var day: String
        public var headerBytes: Int
        public var parts: [Part]
    }

    /// A sealed event or notice, named by its content (FORMAT.md §14.3). `seq` is its place
    /// among the tip's own records (needed to fold triage state), not an order across tips.
    public struct Record: Sendable, Equatable, Codable {
        public var id: String
        public var seq: Int
        public var bytes: Int
    }

    public var id: String
    public var day: String
    public var envelopes: [Envelope]
    public var events: [Record]
    public var notices: [Record]
}

/// Where a stored envelope's ciphertext is, for streaming it one chunk at a time.
public struct EnvelopeLocation: Sendable {
    public struct Chunk: Sendable {
        public let part: Int64
        public let seq: Int
        public let bytes: Int
    }

    let envelopeID: String
    public let header: [UInt8]
    /// Every stored chunk in order (part, then seq).
    public let chunks: [Chunk]

    /// Ciphertext bytes of each part, in part order.
    public var partLengths: [(part: Int64, bytes: Int)] {
        var out: [(part: Int64, bytes: Int)] = []
        for chunk in chunks {
            if out.last?.part == chunk.part { out[out.count - 1].bytes += chunk.bytes } else { out.append((chunk.part, chunk.bytes)) }
        }
        return out
    }
}

extension Vault {
    /// Every tip whose day or any follow-up's day is ≥ `since` (every tip when nil), plus every
    /// tip holding an event or notice: those rows have no stored day (on purpose, see
    /// TriageEvent), so a day cursor cannot select them and the client diffs their ids instead.
    public func changes(since: String?) throws(VaultError) -> [TipChanges] {
        let floor = since ?? ""
        return try perform("listing changes") {
            try pool.read { db in
                var tips: [String: TipChanges] = [:]
                let tipRows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, day FROM tips WHERE day >= ?1
                          OR id IN (SELECT tip_id FROM envelopes WHERE day >= ?1)
                          OR id IN (SELECT tip_id FROM events) OR id IN (SELECT tip_id FROM notices)
                        """, arguments: [floor])
                for row in tipRows {
                    guard let id = row[0] as String?, let day = row[1] as String? else { continue }
                    tips[id] = TipChanges(id: id, day: day, envelopes: [], events: [], notices: [])
                }
                let envelopeRows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT e.tip_id, e.seq, e.day, length(e.header), c.part, sum(length(c.data))
                        FROM envelopes e LEFT JOIN chunks c ON c.envelope_id = e.id
                        GROUP BY e.id, c.part ORDER BY e.tip_id, e.seq, c.part
                        """)
                for row in envelopeRows {
                    guard let tip = row[0] as String?, tips[tip] != nil, let seq = row[1] as Int?, let day = row[2] as String? else { continue }
                    var envelopes = tips[tip]!.envelopes
                    if envelopes.last?.seq != seq {
                        envelopes.append(TipChanges.Envelope(seq: seq, day: day, headerBytes: row[3] as Int? ?? 0, parts: []))
                    }
                    if let part = row[4] as Int64?, let bytes = row[5] as Int? {
                        envelopes[envelopes.count - 1].parts.append(TipChanges.Part(part: part, bytes: bytes))
                    }
                    tips[tip]!.envelopes = envelopes
                }
                for table in ["events", "notices"] {
                    let cursor = try Row.fetchCursor(db, sql: "SELECT tip_id, seq, sealed FROM \(table) ORDER BY tip_id, seq")
                    while let row = try cursor.next() {
                        guard let tip = row[0] as String?, tips[tip] != nil, let seq = row[1] as Int?, let sealed = row[2] as Data? else {
                            continue
                        }
                        let record = TipChanges.Record(id: RecordDigest.id(of: sealed), seq: seq, bytes: sealed.count)
                        if table == "events" { tips[tip]!.events.append(record) } else { tips[tip]!.notices.append(record) }
                    }
                }
                return tips.values.sorted { $0.id < $1.id }
            }
        }
    }

    /// The header and chunk list of envelope `seq` of `tip`; nil when there is none.
    public func envelopeLocation(tip: TipID, seq: Int) throws(VaultError) -> EnvelopeLocation? {
        try perform("locating an envelope") {
            try pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT id, header FROM envelopes WHERE tip_id = ? AND seq = ?", arguments: [tip.text, seq]),
                    let id = row[0] as String?, let header = row[1] as Data?
                else { return nil }
                let chunks = try Row.fetchAll(
                    db, sql: "SELECT part, seq, length(data) FROM chunks WHERE envelope_id = ? ORDER BY part, seq", arguments: [id]
                ).map { EnvelopeLocation.Chunk(part: $0[0] as Int64? ?? -1, seq: $0[1] as Int? ?? -1, bytes: $0[2] as Int? ?? 0) }
                return EnvelopeLocation(envelopeID: id, header: [UInt8](header), chunks: chunks)
            }
        }
    }

    /// One stored chunk of a located envelope, read on its own so a stream holds one chunk in
    /// memory at a time; nil when it is gone (the tip was purged mid-stream).
    public func chunk(of location: EnvelopeLocation, _ chunk: EnvelopeLocation.Chunk) throws(VaultError) -> [UInt8]? {
        try perform("reading ciphertext") {
            try pool.read { db in
                try Data.fetchOne(
                    db, sql: "SELECT data FROM chunks WHERE envelope_id = ? AND part = ? AND seq = ?",
                    arguments: [location.envelopeID, chunk.part, chunk.seq]
                ).map { [UInt8]($0) }
            }
        }
    }

    /// Where a posted sealed record goes.
    public enum SealedRecordTable: String, Sendable {
        /// Sealed to the agency key: triage and the record copy of replies.
        case events
        /// Sealed to the tipster's reply key: what `POST /api/v1/followup` shows.
        case notices
    }

    /// The sealed bytes of the record of `tip` named `id` (FORMAT.md §14.3), for a client that
    /// mirrors what `changes` lists; nil when the tip holds no such record.
    public func sealedRecord(_ id: String, in table: SealedRecordTable, tip: TipID) throws(VaultError) -> [UInt8]? {
        try perform("reading a sealed record") {
            try pool.read { db in
                let cursor = try Data.fetchCursor(
                    db, sql: "SELECT sealed FROM \(table.rawValue) WHERE tip_id = ? ORDER BY seq", arguments: [tip.text])
                while let sealed = try cursor.next() {
                    if RecordDigest.id(of: sealed) == id { return [UInt8](sealed) }
                }
                return nil
            }
        }
    }

    /// Stores an opaque sealed record for `tip` in one durable commit, unless the tip already
    /// holds a record with identical bytes (a retried POST): returns its id (FORMAT.md §14.3)
    /// and whether it was stored now; nil when no such tip exists.
    public func storeSealedRecord(_ sealed: [UInt8], in table: SealedRecordTable, tip: TipID) throws(VaultError) -> (
        id: String, stored: Bool
    )? {
        let id = RecordDigest.id(of: sealed)
        let stored: Bool? = try durableWrite("storing a posted \(table == .events ? "event" : "notice")") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tips WHERE id = ?", arguments: [tip.text]) == true else { return nil }
            let name = table.rawValue
            let existing = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM \(name) WHERE tip_id = ? AND sealed = ?", arguments: [tip.text, Data(sealed)])
            if existing ?? 0 > 0 { return false }
            let seq = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) + 1 FROM \(name) WHERE tip_id = ?", arguments: [tip.text]) ?? 1
            try db.execute(sql: "INSERT INTO \(name) (tip_id, seq, sealed) VALUES (?, ?, ?)", arguments: [tip.text, seq, Data(sealed)])
            return true
        }
        return stored.map { (id, $0) }
    }
}

extension Investigation {
    /// The tipster's reply public key from the tip's sealed document (nil when the tip was sent
    /// without one): what a client seals a notice to before posting it to the service.
    public func tipsterReplyKey(_ tip: TipID) throws(VaultError) -> ReplyPublicKey? {
        guard let bytes = try mainDocument(tip).replyPublicKey else { return nil }
        do { return try ReplyPublicKey(bytes: bytes) } catch {
            throw .documentMalformed(tip: tip.text, reason: "its reply key is invalid (\(error.description))")
        }
    }
}
