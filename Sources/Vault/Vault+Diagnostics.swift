import GRDB

/// Raw SQL for tests and diagnostics inside this module only (tests reach it with
/// `@testable import`): tampering with chunks, reading pragmas, counting orphans.
extension Vault {
    func debugExecute(_ sql: String) throws(VaultError) {
        try perform("running diagnostic SQL") { try pool.write { try $0.execute(sql: sql) } }
    }

    func debugStrings(_ sql: String) throws(VaultError) -> [String] {
        try perform("running diagnostic SQL") {
            try pool.read { db in try Row.fetchAll(db, sql: sql).map { $0[0].map { "\($0)" } ?? "NULL" } }
        }
    }

    /// Chunks that belong to no committed envelope and no live upload.
    func orphanChunkCount() throws(VaultError) -> Int {
        Int(
            try debugStrings(
                """
                SELECT count(*) FROM chunks
                WHERE envelope_id NOT IN (SELECT id FROM envelopes) AND envelope_id NOT IN (SELECT id FROM uploads)
                """)[0]) ?? -1
    }
}

extension Vault {
    /// Every column of every row as text (NULL as "NULL"), for tests that look at storage order.
    func debugRows(_ sql: String) throws(VaultError) -> [[String]] {
        try perform("running diagnostic SQL") {
            try pool.read { db in
                try Row.fetchAll(db, sql: sql).map { row in (0..<row.count).map { row[$0].map { "\($0)" } ?? "NULL" } }
            }
        }
    }
}

extension Vault {
    /// Runs `body` while this connection holds an open read transaction (a snapshot), as a
    /// server or a second `tipvault` would mid-read.
    func debugWhileReading<T>(_ body: () throws -> T) throws(VaultError) -> T {
        try perform("holding a read transaction") {
            try pool.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks")
                return try body()
            }
        }
    }
}

extension Vault {
    /// Raw SQL with foreign keys off, for tests that plant rows pointing nowhere (damage).
    func debugExecuteWithoutForeignKeys(_ sql: String) throws(VaultError) {
        try perform("running diagnostic SQL") {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                try db.execute(sql: sql)
            }
        }
    }
}
