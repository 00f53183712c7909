import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

/// Issue 10, item 12: a purge whose checkpoint a reader blocks says so and fails; once nothing
/// reads, the purged ciphertext is gone from the database file and its WAL.
@Suite("Purge compacts or fails loudly")
struct PurgeCompactionTests {
    /// An old tip with a 400 kB attachment and a recent one; returns 64 bytes of the old tip's
    /// attachment ciphertext to look for afterwards.
    func vaultWithOldTip() throws -> (TestVault, Data) {
        let t = try TestVault()
        let old = try t.compose(message: "old", attachments: [400_000])
        try t.compose(message: "recent", attachments: [10])
        let hex = try t.vault.debugStrings(
            "SELECT hex(substr(data, 5000, 64)) FROM chunks c JOIN envelopes e ON e.id = c.envelope_id WHERE e.tip_id = '\(old.text)' AND c.part = 1 AND c.seq = 0"
        )[0]
        let needle = Data(stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! })
        try t.vault.debugExecute("UPDATE tips SET day = '2020-01-01' WHERE id = '\(old.text)'")
        return (t, needle)
    }

    func filesHolding(_ needle: Data, in t: TestVault) throws -> [String] {
        try allFileBytes(under: t.vaultDirectory).filter { $0.bytes.range(of: needle) != nil }.map { URL(fileURLWithPath: $0.path).lastPathComponent }
    }

    @Test("a reader during purge: notCompacted; without it the ciphertext is absent from vault.sqlite and its WAL")
    func readerBlocksCompaction() throws {
        let (t, needle) = try vaultWithOldTip()
        let reader = try Vault(directory: t.vaultDirectory, policy: .init())
        #expect(!(try filesHolding(needle, in: t)).isEmpty)
        try reader.debugWhileReading {
            #expect(throws: VaultError.notCompacted) { try t.vault.purge(olderThanDays: 30, now: Date()) }
        }
        #expect(try t.vault.debugStrings("SELECT count(*) FROM tips") == ["1"])
        try t.vault.compact()
        #expect(try filesHolding(needle, in: t) == [])
        let wal = t.vaultDirectory.appendingPathComponent("vault.sqlite-wal")
        #expect(try FileManager.default.attributesOfItem(atPath: wal.path)[.size] as? Int == 0)
    }

    @Test("retention that could not compact compacts on its next run, even with nothing left to delete")
    func retentionFinishesCompaction() throws {
        var policy = VaultPolicy()
        policy.retentionDays = 30
        let (t, needle) = try vaultWithOldTip()
        let server = try Vault(directory: t.vaultDirectory, policy: policy)
        let reader = try Vault(directory: t.vaultDirectory, policy: .init())
        try reader.debugWhileReading {
            #expect(throws: VaultError.notCompacted) { try server.applyRetention(now: Date()) }
        }
        #expect(!(try filesHolding(needle, in: t)).isEmpty)
        #expect(try server.applyRetention(now: Date()) == 0)
        #expect(try filesHolding(needle, in: t) == [])
    }

    @Test("tipvault purge with a reader open exits 1 with the error and hint; run again, it compacts")
    func cliReportsReader() throws {
        let (t, needle) = try vaultWithOldTip()
        let reader = try Vault(directory: t.vaultDirectory, policy: .init())
        let args = ["purge", "--vault", t.vaultDirectory.path, "--older-than", "30"]
        let blocked = try reader.debugWhileReading { try CLI.run(args, in: t.root) }
        #expect(blocked.status == 1)
        #expect(blocked.out == "")
        #expect(
            blocked.err == """
                tipvault: error: purged but not compacted: a reader holds the vault
                tipvault: hint: the deleted tips' ciphertext may remain in vault.sqlite-wal: close other tipvault commands and stop the intake server, then run `tipvault purge` again

                """)
        let again = try CLI.run(args, in: t.root)
        #expect(again.status == 0)
        #expect(again.out == "purged 0 tips\n")
        #expect(try filesHolding(needle, in: t) == [])
    }
}
