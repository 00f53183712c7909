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
        guard !matches.isEmpty else {
            // A tip row lost to damage leaves its envelopes behind: name the tip, not "no tip".
            let orphaned = try perform("finding a tip") {
                try pool.read { db in
                    try String.fetchOne(
                        db, sql: "SELECT tip_id FROM envelopes WHERE tip_id >= ? AND tip_id < ? AND tip_id NOT IN (SELECT id FROM tips)",
                        arguments: [prefix, prefix + "~"])
                }
            }
            if let orphaned { throw .tipDamaged(tip: TipID(orphaned)?.text ?? prefix, reason: "its tip row is missing (its envelopes remain)") }
            throw .tipNotFound(prefix)
        }
        guard matches.count == 1 else { throw .tipIDAmbiguous(prefix, matches: matches.count) }
        guard let tip = TipID(matches[0]), tip.text == matches[0] else {
            throw .tipDamaged(tip: prefix, reason: "its stored id is not a tip id")
        }
        return tip
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
        var envelopes: [EnvelopeRow] = []
        for row in rows {
            guard let id = row["id"] as String?, let seq = row["seq"] as Int?, let day = row["day"] as String?,
                let header = row["header"] as Data?
            else { throw .tipDamaged(tip: tip.text, reason: "one of its envelopes lost a field") }
            envelopes.append(EnvelopeRow(id: id, tip: tip, seq: seq, day: day, header: [UInt8](header)))
        }
        for (expected, envelope) in envelopes.enumerated() {
            guard envelope.seq == expected else {
                throw .tipDamaged(
                    tip: tip.text,
                    reason: expected == 0 ? "its own envelope (seq 0) is missing" : "follow-up \(expected) is missing")
            }
            guard CoarseDay.isValid(envelope.day) else {
                throw .tipDamaged(tip: tip.text, reason: expected == 0 ? "its day is not a date" : "the day of follow-up \(expected) is not a date")
            }
        }
        return envelopes
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
                ).map { (part: $0["part"] as Int64? ?? -1, bytes: $0["n"] as Int? ?? 0) }  // damage can leave NULLs: a part -1 matches none
            }
        }
    }

    /// Every tip with its document ciphertext, newest day first (random order within a day),
    /// and the damage found on the way: tips whose id or day is not what the vault writes, whose
    /// own envelope is missing, and rows that belong to no tip (`foreign_key_check`). A damaged
    /// tip is reported, never dropped silently.
    func listingRows() throws(VaultError) -> (rows: [ListingRow], damaged: [VaultError]) {
        try perform("listing tips") {
            try pool.read { db in
                var rows: [ListingRow] = []
                var damaged: [VaultError] = []
                var index: [String: Int] = [:]
                var seen: Set<String> = []
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT t.id, t.day, e.header, c.data FROM tips t
                        LEFT JOIN envelopes e ON e.tip_id = t.id AND e.seq = 0
                        LEFT JOIN chunks c ON c.envelope_id = e.id AND c.part = 0
                        ORDER BY t.day DESC, t.id, c.seq
                        """)
                while let row = try cursor.next() {
                    // Damage can leave NULL where the schema promises text: decode as optionals
                    // (GRDB traps on a NULL read as String) and report the row instead.
                    guard let id = row[0] as String? else {
                        damaged.append(.vaultDamaged(reason: "a tip's stored id is missing"))
                        continue
                    }
                    if let i = index[id] {
                        rows[i].document += (row[3] as Data?).map { [UInt8]($0) } ?? []
                        continue
                    }
                    guard seen.insert(id).inserted else { continue }
                    guard let tip = TipID(id), tip.text == id else {
                        damaged.append(.vaultDamaged(reason: "a tip's stored id is not a tip id"))
                        continue
                    }
                    guard let day = row[1] as String?, CoarseDay.isValid(day) else {
                        damaged.append(.tipDamaged(tip: tip.text, reason: "its day is not a date"))
                        continue
                    }
                    guard let header = row[2] as Data? else {
                        damaged.append(.tipDamaged(tip: tip.text, reason: "its own envelope (seq 0) is missing"))
                        continue
                    }
                    index[id] = rows.count
                    rows.append(
                        ListingRow(
                            tip: tip, day: day, header: [UInt8](header), document: (row[3] as Data?).map { [UInt8]($0) } ?? [],
                            followUps: 0))
                }
                let counts = try Row.fetchAll(db, sql: "SELECT tip_id, count(*) - 1 FROM envelopes GROUP BY tip_id HAVING count(*) > 1")
                for count in counts {
                    if let tip = count[0] as String?, let i = index[tip], let followUps = count[1] as Int? { rows[i].followUps = followUps }
                }
                damaged += try Self.damage(db)
                return (rows, damaged)
            }
        }
    }

    /// Damage outside any one tip's rows: what `show` and `export` report after the tip, since
    /// a lost row may be part of that tip's history. See `damage(_:)`.
    public func structuralDamage() throws(VaultError) -> [VaultError] {
        try perform("checking the vault's structure") { try pool.read { try Self.damage($0) } }
    }

    /// SQLite's `integrity_check` of the small tables (all but `chunks`, whose ciphertext the
    /// stream authentication checks, so no read has to walk every attachment page), then rows
    /// whose tip or envelope is gone (`foreign_key_check`, chunks of no envelope or upload),
    /// counted by table. Without this, a lost or moved event row would silently turn a triaged
    /// tip back to new, and a lost follow-up would simply not be shown.
    static func damage(_ db: Database) throws -> [VaultError] {
        var found: [VaultError] = []
        for table in ["tips", "envelopes", "events", "notices", "uploads"] {
            let answer = try String.fetchAll(db, sql: "PRAGMA integrity_check(\(table))")
            if answer != ["ok"] {
                found.append(.vaultDamaged(reason: "SQLite's integrity check of \(table) failed: \(answer.first ?? "no answer")"))
            }
        }
        let orphans = try Row.fetchAll(db, sql: "SELECT \"table\", count(*) FROM pragma_foreign_key_check GROUP BY \"table\" ORDER BY 1")
        for row in orphans {
            let (table, count): (String, Int) = (row[0], row[1])
            found.append(.vaultDamaged(reason: "\(count) row\(count == 1 ? "" : "s") of \(table) belong\(count == 1 ? "s" : "") to no tip"))
        }
        let chunks =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM chunks
                    WHERE envelope_id NOT IN (SELECT id FROM envelopes) AND envelope_id NOT IN (SELECT id FROM uploads)
                    """) ?? 0
        if chunks > 0 {
            found.append(.vaultDamaged(reason: "\(chunks) ciphertext chunk\(chunks == 1 ? "" : "s") belong\(chunks == 1 ? "s" : "") to no envelope"))
        }
        return found
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
                    // A row whose tip id is not a tip id matches no listed tip; the listing
                    // reports it through foreign_key_check.
                    guard let raw = row[0] as String?, let id = TipID(raw), id.text == raw else { continue }
                    guard let seq = row[1] as Int?, let sealed = row[2] as Data? else { continue }
                    result[id, default: []].append((seq, [UInt8](sealed)))
                }
                return result
            }
        }
    }

    /// Stores a sealed triage event, and optionally a sealed tipster notice, in one durable commit.
    /// Stores one sealed triage action (event and optional notice) in one commit.
    public func appendRecords(tip: TipID, event: [UInt8], notice: [UInt8]?) throws(VaultError) {
        try appendEvent(tip: tip, sealed: event, notice: notice)
    }

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
