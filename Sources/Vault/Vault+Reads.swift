import Foundation
import GRDB

/// Row-level reads and the small writes `tipvault` makes. Everything here moves ciphertext;
/// decryption happens in `Investigation`.
extension Vault {
    struct EnvelopeRow: Sendable {
        let id: String
        let tip: TipID
        let seq: Int
        let day: String
        let header: [UInt8]
    }

    /// One tip as `list` needs it: its own envelope and the whole document ciphertext.
    struct ListingRow: Sendable {
        let tip: TipID
        let day: String
        let header: [UInt8]
        var document: [UInt8]
        var followUps: Int
    }

    /// Resolves a full id or a unique prefix of 4 or more characters.
    public func resolveTip(_ text: String) throws(VaultError) -> TipID {
        let prefix = text.lowercased().filter { Base32.alphabet.contains($0) }
        guard prefix.count >= 4, prefix.count == text.count else { throw .tipNotFound(Output.clean(text, limit: 40)) }
        let matches = try perform("finding a tip") {
            try pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT id FROM tips WHERE id >= ? AND id < ? LIMIT 2",
                    arguments: [prefix, prefix + "~"])
            }
        }
        guard !matches.isEmpty else { throw .tipNotFound(prefix) }
        guard matches.count == 1 else { throw .tipIDAmbiguous(prefix, matches: matches.count) }
        return TipID(unchecked: matches[0])
    }

    /// The tip's envelopes: its own (seq 0) then follow-ups in order.
    func envelopes(of tip: TipID) throws(VaultError) -> [EnvelopeRow] {
        let rows = try perform("reading a tip") {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT id, seq, day, header FROM envelopes WHERE tip_id = ? ORDER BY seq",
                    arguments: [tip.text])
            }
        }
        guard !rows.isEmpty else { throw .tipNotFound(tip.text) }
        return rows.map { EnvelopeRow(id: $0["id"], tip: tip, seq: $0["seq"], day: $0["day"], header: [UInt8]($0["header"] as Data)) }
    }

    /// Streams a part's stored chunks in order through `body` inside one read transaction.
    func forEachChunk(envelope: String, part: Int64, _ body: ([UInt8]) throws(VaultError) -> Void) throws(VaultError) {
        try perform("reading ciphertext") {
            try pool.read { db in
                let cursor = try Data.fetchCursor(
                    db, sql: "SELECT data FROM chunks WHERE envelope_id = ? AND part = ? ORDER BY seq",
                    arguments: [envelope, part])
                while let data = try cursor.next() { try body([UInt8](data)) }
            }
        }
    }

    /// Stored ciphertext bytes of each part of an envelope, by part number.
    func partLengths(envelope: String) throws(VaultError) -> [(part: Int64, bytes: Int)] {
        try perform("measuring ciphertext") {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT part, sum(length(data)) AS n FROM chunks WHERE envelope_id = ? GROUP BY part ORDER BY part",
                    arguments: [envelope]
                ).map { (part: $0["part"], bytes: $0["n"]) }
            }
        }
    }

    /// Every tip with its document ciphertext, newest day first (random order within a day).
    func listingRows() throws(VaultError) -> [ListingRow] {
        try perform("listing tips") {
            try pool.read { db in
                var rows: [ListingRow] = []
                var index: [String: Int] = [:]
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT t.id, t.day, e.header, c.data FROM tips t
                        JOIN envelopes e ON e.tip_id = t.id AND e.seq = 0
                        LEFT JOIN chunks c ON c.envelope_id = e.id AND c.part = 0
                        ORDER BY t.day DESC, t.id, c.seq
                        """)
                while let row = try cursor.next() {
                    let id: String = row[0]
                    let data = (row[3] as Data?).map { [UInt8]($0) } ?? []
                    if let i = index[id] {
                        rows[i].document += data
                    } else {
                        index[id] = rows.count
                        rows.append(
                            ListingRow(
                                tip: TipID(unchecked: id), day: row[1], header: [UInt8](row[2] as Data),
                                document: data, followUps: 0))
                    }
                }
                let counts = try Row.fetchAll(db, sql: "SELECT tip_id, count(*) - 1 FROM envelopes GROUP BY tip_id HAVING count(*) > 1")
                for count in counts { if let i = index[count[0]] { rows[i].followUps = count[1] } }
                return rows
            }
        }
    }

    /// Sealed triage events, by tip, in order (all tips when `tip` is nil).
    func eventRows(of tip: TipID? = nil) throws(VaultError) -> [TipID: [(seq: Int, sealed: [UInt8])]] {
        try perform("reading triage events") {
            try pool.read { db in
                let rows =
                    try tip.map {
                        try Row.fetchAll(db, sql: "SELECT tip_id, seq, sealed FROM events WHERE tip_id = ? ORDER BY seq", arguments: [$0.text])
                    } ?? Row.fetchAll(db, sql: "SELECT tip_id, seq, sealed FROM events ORDER BY tip_id, seq")
                var result: [TipID: [(seq: Int, sealed: [UInt8])]] = [:]
                for row in rows {
                    result[TipID(unchecked: row[0]), default: []].append((row[1], [UInt8](row[2] as Data)))
                }
                return result
            }
        }
    }

    /// Stores a sealed triage event, and optionally a sealed tipster notice, in one durable commit.
    func appendEvent(tip: TipID, sealed: [UInt8], notice: [UInt8]?) throws(VaultError) {
        try durableWrite("recording a triage event") { db in
            let seq = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) + 1 FROM events WHERE tip_id = ?", arguments: [tip.text]) ?? 1
            try db.execute(sql: "INSERT INTO events (tip_id, seq, sealed) VALUES (?, ?, ?)", arguments: [tip.text, seq, Data(sealed)])
            if let notice {
                let n = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) + 1 FROM notices WHERE tip_id = ?", arguments: [tip.text]) ?? 1
                try db.execute(sql: "INSERT INTO notices (tip_id, seq, sealed) VALUES (?, ?, ?)", arguments: [tip.text, n, Data(notice)])
            }
        }
    }
}
