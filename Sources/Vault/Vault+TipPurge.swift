import Foundation
import GRDB

extension Vault {
    /// Deletes one tip for good (the investigator service's admin purge): the same deletes as
    /// `purge(olderThanDays:now:)` restricted to one id, then the same VACUUM and truncating
    /// checkpoint, so its ciphertext lingers in no free page or WAL frame. False when no such
    /// tip exists. A busy reader can leave compaction owed (`notCompacted`); the tip is gone
    /// either way and the next purge or retention sweep compacts.
    public func purge(tip: TipID) throws(VaultError) -> Bool {
        let deleted = try durableWrite("purging a tip") { db in
            try db.execute(
                sql: "DELETE FROM chunks WHERE envelope_id IN (SELECT id FROM envelopes WHERE tip_id = ?)", arguments: [tip.text])
            try db.execute(sql: "DELETE FROM tips WHERE id = ?", arguments: [tip.text])
            return db.changesCount > 0
        }
        if deleted { try compact() }
        return deleted
    }
}
