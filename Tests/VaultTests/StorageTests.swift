import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

@Suite("Storage: schema, visibility, cleanup, dates, purge")
struct StorageTests {
    @Test("the database runs with WAL, secure_delete, foreign keys and a migration table")
    func pragmasAndVersionTable() throws {
        let t = try TestVault()
        #expect(try t.vault.debugStrings("PRAGMA journal_mode") == ["wal"])
        #expect(try t.vault.debugStrings("PRAGMA secure_delete") == ["1"])
        #expect(try t.vault.debugStrings("PRAGMA foreign_keys") == ["1"])
        #expect(try t.vault.debugStrings("PRAGMA synchronous") == ["2"])  // FULL between writes
        #expect(try t.vault.debugStrings("SELECT identifier FROM grdb_migrations ORDER BY identifier") == ["v1", "v2-chunks-without-rowid"])
        #expect(try t.vault.integrityCheck() == "ok")
    }

    @Test("a vault migrated by a newer build is refused, not half read")
    func newerSchemaRefused() throws {
        let t = try TestVault()
        try t.vault.debugExecute("INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        #expect(throws: VaultError.schemaTooNew(found: 3, supported: 2)) {
            try Vault(directory: t.vaultDirectory, policy: VaultPolicy())
        }
    }

    @Test("nothing of an upload is visible before commit, and abort or drop removes its chunks")
    func oneCommitVisibility() throws {
        let t = try TestVault()
        let writer = try t.vault.beginTip(lookupID: TestVault.randomLookupID(), envelopeHeader: [1, 2, 3])
        try writer.append(.attachment(0), ciphertext: [UInt8](repeating: 7, count: 600_000))
        #expect(try t.vault.debugStrings("SELECT count(*) FROM chunks") == ["2"])
        #expect(try t.vault.debugStrings("SELECT count(*) FROM tips") == ["0"])
        #expect(try t.investigation.summaries().isEmpty)
        writer.abort()
        #expect(try t.vault.debugStrings("SELECT count(*) FROM chunks") == ["0"])
        #expect(throws: VaultError.writerFinished) { try writer.commit() }

        do {
            let dropped = try t.vault.beginTip(lookupID: TestVault.randomLookupID(), envelopeHeader: [1])
            try dropped.append(.document, ciphertext: [UInt8](repeating: 1, count: 300_000))
        }
        #expect(try t.vault.debugStrings("SELECT count(*) FROM chunks") == ["0"])
        #expect(try t.vault.debugStrings("SELECT count(*) FROM uploads") == ["0"])
    }

    @Test("uploads of a dead writer are deleted on open; a live writer's are kept")
    func deadWriterCleanup() throws {
        let t = try TestVault()
        let dead = TipID.random().text
        try t.vault.debugExecute(
            """
            INSERT INTO uploads (id, session) VALUES ('up1', '\(dead)');
            INSERT INTO chunks (envelope_id, part, seq, data) VALUES ('up1', 1, 0, X'0102');
            INSERT INTO chunks (envelope_id, part, seq, data) VALUES ('stray', 1, 0, X'0102');
            """)
        let live = try Vault(directory: t.vaultDirectory, policy: VaultPolicy())
        let writer = try live.beginTip(lookupID: TestVault.randomLookupID(), envelopeHeader: [1])
        try writer.append(.document, ciphertext: [UInt8](repeating: 3, count: 300_000))

        let reopened = try Vault(directory: t.vaultDirectory, policy: VaultPolicy())
        #expect(try reopened.debugStrings("SELECT DISTINCT envelope_id FROM chunks") == [writer.envelopeID])
        #expect(try reopened.orphanChunkCount() == 0)
        writer.abort()
    }

    @Test("a second tip with the same lookup id is refused and leaves nothing behind")
    func duplicateLookupID() throws {
        let t = try TestVault()
        let lookup = TestVault.randomLookupID()
        try t.compose(lookupID: lookup, attachments: [1000])
        #expect(throws: VaultError.duplicateLookupID) { try t.compose(lookupID: lookup, attachments: [1000]) }
        #expect(try t.vault.debugStrings("SELECT count(*) FROM tips") == ["1"])
        #expect(try t.vault.orphanChunkCount() == 0)
        #expect(try t.vault.debugStrings("SELECT count(*) FROM uploads") == ["0"])
    }

    @Test("ids are random and resolve from a unique prefix")
    func randomIDs() throws {
        let t = try TestVault()
        var ids: [TipID] = []
        for i in 0..<30 { ids.append(try t.compose(message: "tip \(i)")) }
        #expect(Set(ids).count == 30)
        #expect(ids != ids.sorted())
        #expect(ids.allSatisfy { $0.text.count == 26 })
        #expect(try t.vault.resolveTip(String(ids[0].text.prefix(12)).uppercased()) == ids[0])
        #expect(throws: VaultError.tipNotFound("zzzzzzzzzz")) { try t.vault.resolveTip("zzzzzzzzzz") }
        #expect(throws: VaultError.self) { try t.vault.resolveTip("ab") }
    }

    @Test("stored days follow the policy's granularity")
    func coarseDays() throws {
        let thursday = ISO8601DateFormatter().date(from: "2026-11-26T17:45:12Z")!
        #expect(CoarseDay.string(for: thursday, granularity: .day) == "2026-11-26")
        #expect(CoarseDay.string(for: thursday, granularity: .week) == "2026-11-23")
        #expect(CoarseDay.string(for: thursday, granularity: .month) == "2026-11-01")
        let sunday = ISO8601DateFormatter().date(from: "2026-11-29T23:59:59Z")!
        #expect(CoarseDay.string(for: sunday, granularity: .week) == "2026-11-23")

        var policy = VaultPolicy()
        policy.dateGranularity = .month
        let t = try TestVault(policy: policy)
        try t.compose()
        let day = try t.vault.debugStrings("SELECT day FROM tips")[0]
        #expect(day.hasSuffix("-01"))
        #expect(day == CoarseDay.string(for: Date(), granularity: .month))
    }

    @Test("purge deletes old tips with every chunk, event and notice, and no ciphertext lingers")
    func purgeForGood() throws {
        let t = try TestVault()
        let old = try t.compose(message: "old", replyKey: ReplyKeyPair().publicBytes, attachments: [400_000])
        let recent = try t.compose(message: "recent", attachments: [10])
        try t.investigation.record(.note, value: "n", on: old)
        try t.investigation.reply("r", to: old)
        let sample = try t.vault.debugStrings(
            "SELECT hex(substr(data, 1000, 48)) FROM chunks c JOIN envelopes e ON e.id = c.envelope_id WHERE e.tip_id = '\(old.text)' AND c.part = 1 AND c.seq = 0"
        )[0]
        try t.vault.debugExecute("UPDATE tips SET day = '2020-01-01' WHERE id = '\(old.text)'")

        #expect(try t.vault.purge(olderThanDays: 30, now: Date()) == 1)
        #expect(try t.vault.debugStrings("SELECT id FROM tips") == [recent.text])
        for table in ["envelopes", "events", "notices"] {
            #expect(try t.vault.debugStrings("SELECT count(*) FROM \(table) WHERE tip_id = '\(old.text)'") == ["0"])
        }
        #expect(try t.vault.debugStrings("SELECT count(*) FROM chunks WHERE part = 1 AND length(data) > 1000") == ["0"])
        #expect(try t.vault.orphanChunkCount() == 0)
        #expect(try t.investigation.detail(recent).message == "recent")
        let needle = Data(
            stride(from: 0, to: sample.count, by: 2).map {
                UInt8(sample[sample.index(sample.startIndex, offsetBy: $0)...].prefix(2), radix: 16)!
            })
        for (path, bytes) in try allFileBytes(under: t.vaultDirectory) {
            #expect(bytes.range(of: needle) == nil, "purged ciphertext still in \(path)")
        }
    }

    @Test("retention applies the policy's days, and 0 keeps everything")
    func retention() throws {
        var policy = VaultPolicy()
        policy.retentionDays = 10
        let t = try TestVault(policy: policy)
        let old = try t.compose()
        try t.compose()
        try t.vault.debugExecute("UPDATE tips SET day = '2020-01-01' WHERE id = '\(old.text)'")
        #expect(try t.vault.applyRetention(now: Date()) == 1)
        #expect(try t.vault.debugStrings("SELECT count(*) FROM tips") == ["1"])
        let keepAll = try Vault(directory: t.vaultDirectory, policy: VaultPolicy())
        try keepAll.debugExecute("UPDATE tips SET day = '2000-01-01'")
        #expect(try keepAll.applyRetention(now: Date()) == 0)
    }
}
