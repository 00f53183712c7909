import GRDB

/// The vault's SQLite schema, applied by GRDB's migrator, whose `grdb_migrations` table is the
/// version table: each applied migration is one row, and a vault written by a newer build
/// (a migration this build does not know) is refused instead of being half understood.
///
/// What a column may hold: ciphertext (`header`, `data`, `sealed`), random ids, the lookup id
/// (an Argon2id/KDF output, useless without the receipt) and coarse days. Never plaintext.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Tips sort by their random id inside a day, so table order says nothing about arrival order.
            try db.execute(
                sql: """
                    CREATE TABLE tips (
                      id TEXT PRIMARY KEY NOT NULL,
                      lookup_id BLOB NOT NULL UNIQUE,
                      day TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX tips_by_day ON tips(day);

                    -- One envelope per tip (seq 0) and one per tipster follow-up (seq 1, 2, ...).
                    CREATE TABLE envelopes (
                      id TEXT PRIMARY KEY NOT NULL,
                      tip_id TEXT NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
                      seq INTEGER NOT NULL,
                      day TEXT NOT NULL,
                      header BLOB NOT NULL,
                      UNIQUE (tip_id, seq)
                    ) WITHOUT ROWID;

                    -- Envelopes being written. Their chunks exist before the envelope row does;
                    -- a dead session's uploads are deleted with their chunks when the vault opens.
                    CREATE TABLE uploads (
                      id TEXT PRIMARY KEY NOT NULL,
                      session TEXT NOT NULL
                    ) WITHOUT ROWID;

                    -- Ciphertext of each part (0 = document, i + 1 = attachment i) in order.
                    CREATE TABLE chunks (
                      envelope_id TEXT NOT NULL,
                      part INTEGER NOT NULL,
                      seq INTEGER NOT NULL,
                      data BLOB NOT NULL,
                      PRIMARY KEY (envelope_id, part, seq)
                    );

                    -- Triage events and the record copy of replies, sealed to the agency key.
                    CREATE TABLE events (
                      tip_id TEXT NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
                      seq INTEGER NOT NULL,
                      sealed BLOB NOT NULL,
                      PRIMARY KEY (tip_id, seq)
                    ) WITHOUT ROWID;

                    -- What the tipster may read: notices sealed to their reply public key.
                    CREATE TABLE notices (
                      tip_id TEXT NOT NULL REFERENCES tips(id) ON DELETE CASCADE,
                      seq INTEGER NOT NULL,
                      sealed BLOB NOT NULL,
                      PRIMARY KEY (tip_id, seq)
                    ) WITHOUT ROWID;

                    -- Deleting an envelope (directly or through its tip) deletes its ciphertext.
                    CREATE TRIGGER envelopes_drop_chunks AFTER DELETE ON envelopes BEGIN
                      DELETE FROM chunks WHERE envelope_id = OLD.id;
                    END;
                    """)
        }
        // Issue 10, item 6: `chunks` was a rowid table, so its rowids (and plain storage order)
        // counted arrivals. Rebuilt WITHOUT ROWID it is stored in primary-key order, which starts
        // with the random envelope id. Every other table already was. The copy runs inside the
        // migration's transaction, so a crash leaves either the old table or the new one.
        migrator.registerMigration("v2-chunks-without-rowid") { db in
            try db.execute(
                sql: """
                    DROP TRIGGER envelopes_drop_chunks;
                    ALTER TABLE chunks RENAME TO chunks_v1;
                    CREATE TABLE chunks (
                      envelope_id TEXT NOT NULL,
                      part INTEGER NOT NULL,
                      seq INTEGER NOT NULL,
                      data BLOB NOT NULL,
                      PRIMARY KEY (envelope_id, part, seq)
                    ) WITHOUT ROWID;
                    INSERT INTO chunks (envelope_id, part, seq, data)
                      SELECT envelope_id, part, seq, data FROM chunks_v1 ORDER BY envelope_id, part, seq;
                    DROP TABLE chunks_v1;
                    CREATE TRIGGER envelopes_drop_chunks AFTER DELETE ON envelopes BEGIN
                      DELETE FROM chunks WHERE envelope_id = OLD.id;
                    END;
                    """)
        }
        return migrator
    }

    /// The number of migrations this build knows, for messages.
    static let knownVersion = 2
}
