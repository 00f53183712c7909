import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

/// Issue 10, item 14: writes need the vault's current key; a stranger's keyring changes nothing.
@Suite("Writes need the vault's current key")
struct CurrentKeyTests {
    @Test("note, assign, tag, status and reply refuse a keyring without the current key; nothing is written")
    func triageRefusesForeignKeyring() throws {
        let t = try TestVault()
        let id = try t.compose(replyKey: ReplyKeyPair().publicBytes)
        let stranger = Investigation(vault: t.vault, keys: [AgencySecretKey.generate()], investigator: "eve")
        let refused = VaultError.currentKeyNotHeld(fingerprint: t.key.publicKey.fingerprint)
        for kind in [TriageEvent.Kind.note, .assign, .tag, .status] {
            #expect(throws: refused) { try stranger.record(kind, value: kind == .status ? "closed" : "x", on: id) }
        }
        #expect(throws: refused) { try stranger.reply("hello", to: id) }
        #expect(try t.vault.debugStrings("SELECT count(*) FROM events") == ["0"])
        #expect(try t.vault.debugStrings("SELECT count(*) FROM notices") == ["0"])
        #expect(
            refused.description
                == "your keyring does not hold this vault's current agency key \(t.key.publicKey.fingerprint); nothing was written")
    }

    @Test("rotate with another vault's keyring leaves agency.pub byte for byte as it was")
    func rotateRefusesForeignKeyring() throws {
        let t = try TestVault()
        let other = try TestVault()
        let file = t.vaultDirectory.appendingPathComponent("agency.pub")
        let before = try Data(contentsOf: file)
        #expect(throws: VaultError.currentKeyNotHeld(fingerprint: t.key.publicKey.fingerprint)) {
            try other.keyring.rotate(
                vaultDirectory: t.vaultDirectory, investigator: "alice", passphrase: TestVault.secure(TestVault.passphrase),
                cost: .minimumForTests)
        }
        #expect(try Data(contentsOf: file) == before)
        // The rightful keyring still rotates.
        let key = try t.keyring.rotate(
            vaultDirectory: t.vaultDirectory, investigator: "alice", passphrase: TestVault.secure(TestVault.passphrase),
            cost: .minimumForTests)
        #expect(try Vault.agencyPublicKeys(in: t.vaultDirectory) == [t.key.publicKey, key])
    }
}
