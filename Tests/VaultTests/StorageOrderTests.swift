import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Issue 10, item 6: nothing in the database's storage order (rows as stored, rowids, any
/// column, any index) correlates with the order tips arrived in.
@Suite("Storage order carries no arrival order")
struct StorageOrderTests {
    /// Which tip each row belongs to, per table: every table the schema creates must be here.
    static let tipOfRow = [
        "tips": "id",
        "envelopes": "tip_id",
        "chunks": "(SELECT e.tip_id FROM envelopes e WHERE e.id = chunks.envelope_id)",
        "events": "tip_id",
        "notices": "tip_id",
        "uploads": "NULL",
    ]

    /// 400 tips, not 50: over some 35 orders, 50 truly random values would exceed |ρ| 0.2 by
    /// chance (σ ≈ 0.14, so about one order in six); with 400, σ ≈ 0.05 and 0.2 is 4σ, while
    /// an arrival-ordered rowid still gives ρ ≈ 1.
    @Test("400 tips written in sequence: |Spearman ρ| < 0.2 for row order, rowid, every column and every index")
    func noCorrelationWithArrival() throws {
        let t = try TestVault()
        var arrival: [String: Int] = [:]
        for n in 0..<400 {
            let tipster = ReplyKeyPair()
            // Every tenth with a two-chunk attachment, so chunk seq numbers vary too.
            let id = try t.compose(message: "tip \(n)", replyKey: tipster.publicBytes, attachments: [n % 10 == 0 ? 300_000 : 1000])
            try t.investigation.record(.status, value: "triaged", on: id)
            arrival[id.text] = n
        }
        let tables = try t.vault.debugStrings(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name")
        #expect(tables == Self.tipOfRow.keys.sorted())
        var checked = 0
        for table in tables {
            guard let tip = Self.tipOfRow[table], tip != "NULL" else { continue }
            let definition = try t.vault.debugStrings("SELECT sql FROM sqlite_master WHERE name = '\(table)'")[0]
            var orders: [(String, String)] = [("storage order", "")]
            if !definition.uppercased().contains("WITHOUT ROWID") { orders.append(("rowid", "rowid")) }
            for column in try t.vault.debugStrings("SELECT name FROM pragma_table_info('\(table)')") {
                orders.append(("column \(column)", "quote(\(column))"))
            }
            for index in try t.vault.debugStrings("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '\(table)'") {
                let columns = try t.vault.debugStrings("SELECT name FROM pragma_index_info('\(index)') ORDER BY seqno")
                orders.append(("index \(index)", "quote(" + columns.joined(separator: ") || ' ' || quote(") + ")"))
            }
            for (what, key) in orders {
                // Storage order: the position at which a plain SELECT returns the row.
                let sql = "SELECT \(tip)\(key.isEmpty ? "" : ", \(key)") FROM \(table)"
                let rows = try t.vault.debugRows(sql)
                let submitted = rows.map { Double(arrival[$0[0]]!) }
                let values = key.isEmpty ? rows.indices.map { String(format: "%09d", $0) } : rows.map { $0[1] }
                let rho = Self.spearman(values, submitted)
                #expect(abs(rho) < 0.2, "\(table) \(what): ρ = \(rho)")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }

    @Test("a vault with the old rowid chunks table is migrated and every tip still reads")
    func migratesRowidChunks() throws {
        let t = try TestVault()
        try t.vault.debugExecute(
            """
            DROP TRIGGER envelopes_drop_chunks;
            DROP TABLE chunks;
            CREATE TABLE chunks (envelope_id TEXT NOT NULL, part INTEGER NOT NULL, seq INTEGER NOT NULL,
              data BLOB NOT NULL, PRIMARY KEY (envelope_id, part, seq));
            CREATE TRIGGER envelopes_drop_chunks AFTER DELETE ON envelopes BEGIN
              DELETE FROM chunks WHERE envelope_id = OLD.id;
            END;
            DELETE FROM grdb_migrations WHERE identifier = 'v2-chunks-without-rowid';
            """)
        let ids = try (0..<3).map { n in try t.compose(message: "old \(n)", attachments: [300_000 + n]) }
        #expect(try t.vault.debugStrings("SELECT count(*) FROM chunks") == ["9"])

        let migrated = try Vault(directory: t.vaultDirectory, policy: .init())
        let sql = try migrated.debugStrings("SELECT sql FROM sqlite_master WHERE name = 'chunks'")[0]
        #expect(sql.contains("WITHOUT ROWID"))
        #expect(try migrated.debugStrings("SELECT count(*) FROM chunks") == ["9"])
        let investigation = Investigation(vault: migrated, keys: [t.key], investigator: "alice")
        for (n, id) in ids.enumerated() {
            #expect(try investigation.detail(id).message == "old \(n)")
            let files = try investigation.export(id, to: t.root.appendingPathComponent("out\(n)"))
            #expect(files.map(\.bytes) == [300_000 + n])
        }
        // The trigger came back: deleting a tip still deletes its ciphertext.
        try migrated.debugExecute("DELETE FROM tips WHERE id = '\(ids[0].text)'")
        #expect(try migrated.debugStrings("SELECT count(*) FROM chunks") == ["6"])
        #expect(try migrated.integrityCheck() == "ok")
    }

    /// Spearman's rank correlation with average ranks for ties; 0 when either side is constant.
    static func spearman(_ values: [String], _ order: [Double]) -> Double {
        func ranks<T: Comparable>(_ xs: [T]) -> [Double] {
            let sorted = xs.indices.sorted { xs[$0] < xs[$1] }
            var result = [Double](repeating: 0, count: xs.count)
            var i = 0
            while i < sorted.count {
                var j = i
                while j + 1 < sorted.count && xs[sorted[j + 1]] == xs[sorted[i]] { j += 1 }
                for k in i...j { result[sorted[k]] = Double(i + j) / 2 }
                i = j + 1
            }
            return result
        }
        let a = ranks(values)
        let b = ranks(order)
        let n = Double(a.count)
        let (ma, mb) = (a.reduce(0, +) / n, b.reduce(0, +) / n)
        var (cov, va, vb) = (0.0, 0.0, 0.0)
        for i in a.indices {
            cov += (a[i] - ma) * (b[i] - mb)
            va += (a[i] - ma) * (a[i] - ma)
            vb += (b[i] - mb) * (b[i] - mb)
        }
        return va == 0 || vb == 0 ? 0 : cov / (va * vb).squareRoot()
    }
}
