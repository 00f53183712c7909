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
