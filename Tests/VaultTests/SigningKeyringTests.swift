import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

/// Issue 11: the investigator's Ed25519 signing key lives in the keyring, wrapped under the
/// same passphrase as their agency keys; old keyrings are upgraded on first use.
@Suite("Keyring: investigator signing keys")
struct SigningKeyringTests {
    @Test("init and investigator add create a signing key; it unlocks only with its own passphrase")
    func createdWithTheKeyring() throws {
        let t = try TestVault()
        let alice = TestVault.secure(TestVault.passphrase)
        let bob = TestVault.secure("bob's own passphrase")
        let alicePublic = try #require(try t.keyring.signingPublicKey(investigator: "alice"))
        let aliceKey = try t.keyring.signingKey(investigator: "alice", passphrase: alice)
        #expect(aliceKey.publicKey == alicePublic)
        #expect(alicePublic.text.hasPrefix(InvestigatorPublicKey.textPrefix))
        #expect(throws: VaultError.wrongPassphrase(investigator: "alice")) { try t.keyring.signingKey(investigator: "alice", passphrase: bob) }

        _ = try t.keyring.addInvestigator("bob", newPassphrase: bob, unlockingAs: "alice", passphrase: alice, cost: .minimumForTests)
        let bobKey = try t.keyring.signingKey(investigator: "bob", passphrase: bob)
        #expect(bobKey.publicKey != alicePublic)
        // Agency-key listing is unaffected by the new files.
        #expect(try t.keyring.investigators() == ["alice", "bob"])
        // The file holds the public key but not the seed.
        let file = try Data(contentsOf: t.keyring.directory.appendingPathComponent("alice.tlsign"))
        #expect(file.contains(alicePublic.text))
        #expect(file.range(of: aliceKey.seed.withUnsafeBytes { Data($0) }) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: t.keyring.directory.appendingPathComponent("alice.tlsign").path)[
            .posixPermissions]
        #expect(mode as? Int == 0o600)
    }

    @Test("a keyring from before issue 11 says how to add a key, and is upgraded once with the right passphrase")
    func upgrade() throws {
        let t = try TestVault()
        let alice = TestVault.secure(TestVault.passphrase)
        try FileManager.default.removeItem(at: t.keyring.directory.appendingPathComponent("alice.tlsign"))
        #expect(try t.keyring.signingPublicKey(investigator: "alice") == nil)
        #expect(throws: VaultError.signingKeyMissing(investigator: "alice")) { try t.keyring.signingKey(investigator: "alice", passphrase: alice) }
        #expect(VaultError.signingKeyMissing(investigator: "alice").hint?.contains("tipvault whoami") == true)
        #expect(throws: VaultError.wrongPassphrase(investigator: "alice")) {
            try t.keyring.ensureSigningKey(investigator: "alice", passphrase: TestVault.secure("wrong"), cost: .minimumForTests)
        }
        let made = try t.keyring.ensureSigningKey(investigator: "alice", passphrase: alice, cost: .minimumForTests)
        #expect(made.created)
        let again = try t.keyring.ensureSigningKey(investigator: "alice", passphrase: alice, cost: .minimumForTests)
        #expect(!again.created && again.key == made.key)
        #expect(try t.keyring.signingKey(investigator: "alice", passphrase: alice).publicKey == made.key)
    }
}
