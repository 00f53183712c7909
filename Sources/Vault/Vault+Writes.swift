import Foundation
import GRDB

/// The two kinds of write the vault makes. Staging writes (chunks of an upload nobody can see
/// yet) skip the fsync; durable writes (what makes a tip, event or reply visible) fsync the WAL,
/// which also carries every staged frame written before them.
extension Vault {
    func durableWrite<T>(_ operation: String, _ body: (Database) throws -> T) throws(VaultError) -> T {
        try write(operation, synchronous: "FULL", body)
    }

    func stagingWrite<T>(_ operation: String, _ body: (Database) throws -> T) throws(VaultError) -> T {
        try write(operation, synchronous: "NORMAL", body)
    }

    private func write<T>(_ operation: String, synchronous: String, _ body: (Database) throws -> T) throws(VaultError) -> T {
        guard optionalSession != nil else { throw .readOnly(path: directory.path) }
        return try perform(operation) {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    /// Deletes uploads (and their chunks) whose writer session is dead, then any chunk that
    /// belongs to neither a committed envelope nor a live upload.
    func removeDeadUploads() throws(VaultError) {
        let session = try self.session
        try durableWrite("removing unfinished uploads") { db in
            let sessions = try String.fetchAll(db, sql: "SELECT DISTINCT session FROM uploads")
            for other in sessions where session.isDead(other) {
                try db.execute(
                    sql: "DELETE FROM chunks WHERE envelope_id IN (SELECT id FROM uploads WHERE session = ?)",
                    arguments: [other])
                try db.execute(sql: "DELETE FROM uploads WHERE session = ?", arguments: [other])
            }
            try db.execute(
                sql: """
                    DELETE FROM chunks WHERE envelope_id IN (
                      SELECT DISTINCT envelope_id FROM chunks
                      WHERE envelope_id NOT IN (SELECT id FROM envelopes) AND envelope_id NOT IN (SELECT id FROM uploads))
                    """)
        }
        session.removeStaleLockFiles()
    }

    /// Deletes tips whose stored day is older than `days` days before `now`, with their
    /// envelopes, chunks, events and notices, then VACUUMs and truncates the WAL so the freed
    /// ciphertext does not linger in free pages or old WAL frames. Returns the number deleted.
    /// With week or month granularity a tip's day is the period's first day, so it may go up to
    /// one period early: retention errs towards forgetting.
    public func purge(olderThanDays days: Int, now: Date) throws(VaultError) -> Int {
        let cutoff = CoarseDay.cutoff(olderThan: days, now: now)
        let deleted = try durableWrite("purging old tips") { db in
            try db.execute(
                sql: """
                    DELETE FROM chunks WHERE envelope_id IN (
                      SELECT e.id FROM envelopes e JOIN tips t ON t.id = e.tip_id WHERE t.day < ?)
                    """, arguments: [cutoff])
            try db.execute(sql: "DELETE FROM tips WHERE day < ?", arguments: [cutoff])
            return db.changesCount
        }
        if deleted > 0 || compactionOwed.withLock({ $0 }) { try compact() }
        return deleted
    }

    /// VACUUM, then a truncating checkpoint: no old page of a deleted tip stays in the files.
    /// The checkpoint cannot finish while any other connection holds a read transaction (the
    /// intake server mid-read, another `tipvault`); it is retried with a short backoff and then
    /// reported as `notCompacted`, never as success, since the old pages are still in the WAL.
    public func compact() throws(VaultError) {
        _ = try session
        try perform("compacting the vault") { try pool.writeWithoutTransaction { try $0.execute(sql: "VACUUM") } }
        for (attempt, pause) in Self.checkpointBackoff.enumerated() {
            let result = try perform("compacting the vault") {
                try pool.writeWithoutTransaction { db -> Checkpoint? in
                    // A short busy wait per attempt, not the 30 s the other writes allow.
                    try db.execute(sql: "PRAGMA busy_timeout = 100")
                    defer { try? db.execute(sql: "PRAGMA busy_timeout = 30000") }
                    return try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)").map {
                        Checkpoint(busy: $0[0], log: $0[1], checkpointed: $0[2])
                    }
                }
            }
            if let result, result.complete {
                compactionOwed.withLock { $0 = false }
                return
            }
            if attempt < Self.checkpointBackoff.count - 1 { Thread.sleep(forTimeInterval: pause) }
        }
        compactionOwed.withLock { $0 = true }
        throw .notCompacted
    }

    /// Pauses between checkpoint attempts, in seconds (about 1.5 s in all, plus 100 ms busy waits).
    static let checkpointBackoff: [TimeInterval] = [0.05, 0.1, 0.2, 0.4, 0.8, 0]

    /// The row `PRAGMA wal_checkpoint` returns: busy flag, WAL frames, frames checkpointed.
    struct Checkpoint {
        let busy: Int
        let log: Int
        let checkpointed: Int
        /// Not busy and every frame copied back (TRUNCATE then empties the WAL file).
        var complete: Bool { busy == 0 && log >= 0 && log == checkpointed }
    }

    /// `PRAGMA integrity_check`'s answer: "ok" for a sound file.
    public func integrityCheck() throws(VaultError) -> String {
        try perform("checking integrity") {
            try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        }
    }
}
