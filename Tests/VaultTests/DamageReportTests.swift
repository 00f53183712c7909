import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Issue 10, item 14: each kind of damage the review found is reported by tip id, and the
/// listing still shows the sound tips.
@Suite("Damage is reported by tip id")
struct DamageReportTests {
    /// A tip with a follow-up and a triaged status, and a sound second tip.
    func vault() throws -> (TestVault, damaged: TipID, sound: TipID) {
        let t = try TestVault()
        let lookup = TestVault.randomLookupID()
        let tip = try t.compose(message: "the tip itself", lookupID: lookup)
        let followUp = try #require(
            try TipComposer.followUp(vault: t.vault, lookupID: lookup, recipients: try Vault.agencyPublicKeys(in: t.vaultDirectory)))
        _ = try followUp.finish(document: TipDocument(kind: .followUp, message: "the follow-up"))
        try t.investigation.record(.status, value: "triaged", on: tip)
        let sound = try t.compose(message: "sound")
        return (t, tip, sound)
    }

    func expectListing(_ t: TestVault, shows sound: TipID, reports damage: [VaultError]) throws {
        let (tips, damaged) = try t.investigation.listing()
        #expect(tips.map(\.id) == [sound])
        #expect(damaged == damage)
        #expect(throws: damage[0]) { try t.investigation.summaries() }
    }

    @Test("a lost seq-0 envelope: the follow-up is never shown as the tip's message")
    func lostOwnEnvelope() throws {
        let (t, tip, sound) = try vault()
        try t.vault.debugExecute("DELETE FROM envelopes WHERE tip_id = '\(tip.text)' AND seq = 0")
        let missing = VaultError.tipDamaged(tip: tip.text, reason: "its own envelope (seq 0) is missing")
        #expect(throws: missing) { try t.investigation.detail(tip) }
        try expectListing(t, shows: sound, reports: [missing])
    }

    @Test("a follow-up renumbered to seq 0 is refused by its kind")
    func followUpAsTip() throws {
        let (t, tip, sound) = try vault()
        try t.vault.debugExecute(
            "DELETE FROM envelopes WHERE tip_id = '\(tip.text)' AND seq = 0; UPDATE envelopes SET seq = 0 WHERE tip_id = '\(tip.text)'")
        let wrongKind = VaultError.tipDamaged(tip: tip.text, reason: "its first envelope holds a follow-up, not the tip")
        #expect(throws: wrongKind) { try t.investigation.detail(tip) }
        #expect(throws: wrongKind) { try t.investigation.export(tip, to: t.root.appendingPathComponent("x")) }
        try expectListing(t, shows: sound, reports: [wrongKind])
    }

    /// Found by CI's damage trials: a flipped byte turned a record's serial type into NULL,
    /// and GRDB traps when NULL is read as a String, killing the process instead of reporting.
    @Test("NULL where the schema promises text is reported as damage, never a crash")
    func nullColumns() throws {
        let (t, tip, sound) = try vault()
        // Stand in for the flipped serial type: let the columns hold NULL, then store NULLs.
        try t.vault.debugExecute(
            "PRAGMA writable_schema = ON; "
                + "UPDATE sqlite_schema SET sql = replace(replace(sql, 'day TEXT NOT NULL', 'day TEXT'), 'header BLOB NOT NULL', 'header BLOB') "
                + "WHERE name IN ('tips', 'envelopes'); PRAGMA writable_schema = RESET;")
        try t.vault.debugExecute("UPDATE tips SET day = NULL WHERE id = '\(tip.text)'")
        let (tips, damaged) = try t.investigation.listing()
        #expect(tips.map(\.id) == [sound])
        #expect(damaged.contains(.tipDamaged(tip: tip.text, reason: "its day is not a date")), "\(damaged)")
        try t.vault.debugExecute("UPDATE envelopes SET header = NULL WHERE tip_id = '\(sound.text)' AND seq = 0")
        #expect(throws: VaultError.tipDamaged(tip: sound.text, reason: "one of its envelopes lost a field")) {
            try t.investigation.detail(sound)
        }
    }

    @Test("a lost tip row: show names the tip, list reports its orphaned rows")
    func lostTipRow() throws {
        let (t, tip, sound) = try vault()
        try t.vault.debugExecuteWithoutForeignKeys("DELETE FROM tips WHERE id = '\(tip.text)'")
        #expect(throws: VaultError.tipDamaged(tip: tip.text, reason: "its tip row is missing (its envelopes remain)")) {
            try t.vault.resolveTip(tip.short)
        }
        try expectListing(
            t, shows: sound,
            reports: [
                .vaultDamaged(reason: "2 rows of envelopes belong to no tip"), .vaultDamaged(reason: "1 row of events belongs to no tip"),
            ])
    }

    @Test("an orphaned status event does not silently turn a triaged tip back to new")
    func orphanedStatusEvent() throws {
        let (t, tip, _) = try vault()
        #expect(try t.investigation.detail(tip).state.status == "triaged")
        try t.vault.debugExecuteWithoutForeignKeys("UPDATE events SET tip_id = '\(TipID.random().text)' WHERE tip_id = '\(tip.text)'")
        #expect(try t.vault.structuralDamage() == [.vaultDamaged(reason: "1 row of events belongs to no tip")])
        #expect(try t.investigation.listing().damaged == [.vaultDamaged(reason: "1 row of events belongs to no tip")])
    }

    @Test("a gap in the triage events is damage, not a shorter history")
    func missingEvent() throws {
        let (t, tip, sound) = try vault()
        try t.investigation.record(.status, value: "closed", on: tip)
        try t.vault.debugExecute("DELETE FROM events WHERE tip_id = '\(tip.text)' AND seq = 1")
        let gap = VaultError.tipDamaged(tip: tip.text, reason: "triage event 1 is missing")
        #expect(throws: gap) { try t.investigation.detail(tip) }
        try expectListing(t, shows: sound, reports: [gap])
    }

    @Test("tipvault show reports orphaned rows after the tip and exits 1")
    func cliShowReportsOrphans() throws {
        let (t, tip, _) = try vault()
        try t.vault.debugExecuteWithoutForeignKeys("UPDATE events SET tip_id = '\(TipID.random().text)' WHERE tip_id = '\(tip.text)'")
        let result = try CLI.run(
            ["show", tip.short, "--vault", t.vaultDirectory.path, "--keyring", t.keyring.directory.path, "--investigator", "alice"],
            env: ["TIPVAULT_PASSPHRASE": TestVault.passphrase], in: t.root)
        #expect(result.status == 1)
        #expect(result.out.hasPrefix("tip \(tip.text)  received "))
        #expect(
            result.err == """
                tipvault: error: the vault is damaged: 1 row of events belongs to no tip
                tipvault: hint: the vault file was altered; restore it from a backup

                """)
    }
}
