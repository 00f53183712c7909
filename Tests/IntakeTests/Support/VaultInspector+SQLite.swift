import Foundation
import GRDB

/// Looks inside the server's `vault.sqlite` read-only (never through `Vault`, whose opening
/// would clean up a dead writer's uploads and hide exactly what these tests look for).
enum VaultInspector {
    struct Leftovers: Equatable, CustomStringConvertible {
        /// Chunks that belong to no committed envelope.
        var orphanChunks: Int
        /// Rows of envelopes still being written.
        var uploads: Int
        var description: String { "\(orphanChunks) orphan chunks, \(uploads) open uploads" }
    }

    static func leftovers(in vault: URL) throws -> Leftovers {
        let file = vault.appendingPathComponent("vault.sqlite")
        guard FileManager.default.fileExists(atPath: file.path) else { return Leftovers(orphanChunks: 0, uploads: 0) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: file.path, configuration: config)
        return try queue.read { db in
            let orphans = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunks WHERE envelope_id NOT IN (SELECT id FROM envelopes)") ?? -1
            let uploads = try Int.fetchOne(db, sql: "SELECT count(*) FROM uploads") ?? -1
            return Leftovers(orphanChunks: orphans, uploads: uploads)
        }
    }

    /// Polls until nothing is left over (an aborted upload is cleaned up asynchronously) or
    /// `seconds` pass; returns the last reading.
    static func waitForNoLeftovers(in vault: URL, seconds: Double = 5) throws -> Leftovers {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try leftovers(in: vault)
        while last != Leftovers(orphanChunks: 0, uploads: 0) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            last = try leftovers(in: vault)
        }
        return last
    }
}
