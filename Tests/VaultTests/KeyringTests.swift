import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

@Suite("Keyring: rotation, investigators, forwarding")
struct KeyringTests {
    @Test("after rotation new tips go to the new key and old tips stay readable")
    func rotationKeepsOldTipsReadable() throws {
        let t = try TestVault()
        let before = try t.compose(message: "before")
        let pass = TestVault.secure(TestVault.passphrase)
        let newKey = try t.keyring.rotate(vaultDirectory: t.vaultDirectory, investigator: "alice", passphrase: pass, cost: .minimumForTests)
        let published = try Vault.agencyPublicKeys(in: t.vaultDirectory)
        #expect(published.count == 2)
        #expect(published.last == newKey)
        let after = try t.compose(message: "after")

        let keys = try t.keyring.unlock(investigator: "alice", passphrase: pass)
        #expect(keys.map(\.publicKey) == [newKey, t.key.publicKey])
        let investigation = Investigation(vault: t.vault, keys: keys, investigator: "alice")
        #expect(Set(try investigation.summaries().map(\.firstLine)) == ["before", "after"])
        try investigation.record(.note, value: "sealed to the new key", on: before)
        #expect(try investigation.detail(before).events.map(\.value) == ["sealed to the new key"])
        // The old key alone cannot read the new tip.
        #expect(throws: VaultError.noKeyOpensTip(tip: after.text)) { try t.investigation.detail(after) }
    }

    @Test("investigator add wraps the same keys under another passphrase")
    func addInvestigator() throws {
        let t = try TestVault()
        let id = try t.compose(message: "shared")
        let alice = TestVault.secure(TestVault.passphrase)
        let bobPass = TestVault.secure("bob's own passphrase")
        #expect(try t.keyring.addInvestigator("bob", newPassphrase: bobPass, unlockingAs: "alice", passphrase: alice, cost: .minimumForTests) == 1)
        #expect(try t.keyring.investigators() == ["alice", "bob"])
        let bobKeys = try t.keyring.unlock(investigator: "bob", passphrase: bobPass)
        #expect(try Investigation(vault: t.vault, keys: bobKeys, investigator: "bob").detail(id).message == "shared")
        #expect(throws: VaultError.wrongPassphrase(investigator: "bob")) { try t.keyring.unlock(investigator: "bob", passphrase: alice) }
        #expect(throws: VaultError.investigatorExists(name: "bob")) {
            try t.keyring.addInvestigator("bob", newPassphrase: bobPass, unlockingAs: "alice", passphrase: alice, cost: .minimumForTests)
        }
        #expect(throws: VaultError.invalidInvestigatorName("../x")) {
            try t.keyring.addInvestigator("../x", newPassphrase: bobPass, unlockingAs: "alice", passphrase: alice, cost: .minimumForTests)
        }
        #expect(throws: VaultError.investigatorAmbiguous(known: ["alice", "bob"])) { try t.keyring.resolveInvestigator(nil) }
    }

    @Test("storing a key never overwrites an existing key file of the same name (O_EXCL, next free name)")
    func storeNeverOverwrites() throws {
        let t = try TestVault()
        let pass = TestVault.secure(TestVault.passphrase)
        let existing = t.keyring.directory.appendingPathComponent("alice.1.tlkey")
        let before = try Data(contentsOf: existing)
        let other = AgencySecretKey.generate()
        try t.keyring.store(other, generation: 1, investigator: "alice", passphrase: pass, cost: .minimumForTests)
        #expect(try Data(contentsOf: existing) == before, "the first key file is untouched")
        let second = t.keyring.directory.appendingPathComponent("alice.1-2.tlkey")
        #expect(FileManager.default.fileExists(atPath: second.path))
        #expect((try FileManager.default.attributesOfItem(atPath: second.path)[.posixPermissions] as? Int) == 0o600)
        #expect(Set(try t.keyring.unlock(investigator: "alice", passphrase: pass).map(\.publicKey)) == [t.key.publicKey, other.publicKey])
    }

    @Test("init refuses to run twice")
    func initTwice() throws {
        let t = try TestVault()
        #expect(throws: VaultError.vaultAlreadyInitialised(path: t.vaultDirectory.appendingPathComponent("agency.pub").path)) {
            try t.keyring.initialise(
                vaultDirectory: t.vaultDirectory, policy: VaultPolicy(), investigator: "alice",
                passphrase: TestVault.secure("x"), cost: .minimumForTests)
        }
    }

    @Test("a forwarded envelope opens only with the other agency's key and carries the attachments")
    func forwardToAnotherAgency() throws {
        let t = try TestVault()
        let id = try t.compose(message: "for the other agency", replyKey: ReplyKeyPair().publicBytes, attachments: [0, 70_000])
        try t.investigation.record(.note, value: "CANARY-INTERNAL-NOTE", on: id)
        let other = AgencySecretKey.generate()
        let file = t.root.appendingPathComponent("tip.tlfwd")
        try ForwardedEnvelope.write(id, from: t.investigation, to: other.publicKey, file: file)
        #expect(!(try Data(contentsOf: file)).contains("CANARY-INTERNAL-NOTE"))

        let out = t.root.appendingPathComponent("theirs")
        let (document, files) = try ForwardedEnvelope.open(file: file, keys: [other], exportTo: out)
        #expect(document.message == "for the other agency")
        #expect(files.map(\.bytes) == [0, 70_000])
        #expect(try Data(contentsOf: out.appendingPathComponent("attachment-2.jpg")) == Data(TestVault.pattern(count: 70_000, seed: 1)))
        #expect(throws: VaultError.envelopeNotForYou(path: "tip.tlfwd")) { try ForwardedEnvelope.open(file: file, keys: [t.key], exportTo: nil) }
        var bytes = try Data(contentsOf: file)
        bytes.removeLast(5)
        try bytes.write(to: file)
        #expect(throws: VaultError.envelopeFileMalformed(path: file.path, reason: "the file ends early")) {
            try ForwardedEnvelope.open(file: file, keys: [other], exportTo: nil)
        }
    }
}
