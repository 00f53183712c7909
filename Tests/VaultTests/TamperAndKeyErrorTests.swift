import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

@Suite("Typed errors for bad keys and altered data")
struct TamperAndKeyErrorTests {
    @Test("a wrong passphrase unlocks nothing")
    func wrongPassphrase() throws {
        let t = try TestVault()
        #expect(throws: VaultError.wrongPassphrase(investigator: "alice")) {
            try t.keyring.unlock(investigator: "alice", passphrase: TestVault.secure("not it"))
        }
        #expect(VaultError.wrongPassphrase(investigator: "alice").description == "wrong passphrase for investigator alice; no key was unlocked")
    }

    @Test("a damaged keyring file is reported by name")
    func corruptedKeyring() throws {
        let t = try TestVault()
        let file = t.keyring.directory.appendingPathComponent("alice.1.tlkey")
        let original = try String(contentsOf: file, encoding: .utf8)

        try original.replacingOccurrences(of: "wrapped: ", with: "wrapped: !!").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: VaultError.keyringFileMalformed(file: "alice.1.tlkey", reason: "missing or invalid wrapped key")) {
            try t.keyring.unlock(investigator: "alice", passphrase: TestVault.secure(TestVault.passphrase))
        }
        try "garbage\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: VaultError.keyringFileMalformed(file: "alice.1.tlkey", reason: "it does not start with tipline-keyring-v1")) {
            try t.keyring.unlock(investigator: "alice", passphrase: TestVault.secure(TestVault.passphrase))
        }
        // A file that names another public key than the one it wraps.
        let other = AgencySecretKey.generate().publicKey.text
        let swapped = original.split(separator: "\n").map { $0.hasPrefix("public-key:") ? "public-key: \(other)" : String($0) }
        try swapped.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: VaultError.keyringMismatch(file: "alice.1.tlkey")) {
            try t.keyring.unlock(investigator: "alice", passphrase: TestVault.secure(TestVault.passphrase))
        }
    }

    @Test("a key the tip was not sealed to reads nothing")
    func wrongAgencyKey() throws {
        let t = try TestVault()
        let id = try t.compose(attachments: [100])
        let stranger = Investigation(vault: t.vault, keys: [AgencySecretKey.generate()], investigator: "eve")
        #expect(throws: VaultError.noKeyOpensTip(tip: id.text)) { try stranger.detail(id) }
        #expect(throws: VaultError.noKeyOpensTip(tip: id.text)) { try stranger.export(id, to: t.root.appendingPathComponent("x")) }
    }

    @Test("a flipped byte in an attachment chunk fails export and leaves no partial file")
    func tamperedChunk() throws {
        let t = try TestVault()
        let id = try t.compose(attachments: [600_000])
        try t.vault.debugExecute(
            """
            UPDATE chunks SET data = substr(data, 1, 299999) || CASE WHEN substr(data, 300000, 1) = X'00' THEN X'01' ELSE X'00' END
              || substr(data, 300001) WHERE part = 1 AND seq = 1
            """)
        let out = t.root.appendingPathComponent("export")
        do {
            _ = try t.investigation.export(id, to: out)
            Issue.record("export of a tampered chunk succeeded")
        } catch {
            guard case .partCorrupted(let tip, let part, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(tip == id.text)
            #expect(part == "attachment 1")
            #expect(reason.contains("failed authentication"))
            #expect(error.hint == "the vault file was altered; restore it from a backup")
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("attachment-1.jpg").path))
        // The document itself is intact, so list still works.
        #expect(try t.investigation.summaries().count == 1)
    }

    @Test("a flipped byte in the document or header names the tip and part")
    func tamperedDocumentAndHeader() throws {
        let t = try TestVault()
        let id = try t.compose()
        // Always a change: a plain X'00' left one stored stream in 256 untouched (its random header
        // can start with 0x00), and the test then failed by chance.
        try t.vault.debugExecute(
            "UPDATE chunks SET data = (CASE WHEN substr(data, 1, 1) = X'00' THEN X'01' ELSE X'00' END) || substr(data, 2) WHERE part = 0")
        #expect {
            try t.investigation.summaries()
        } throws: { error in
            guard case VaultError.partCorrupted(id.text, "document", _) = error else { return false }
            return true
        }
        try t.vault.debugExecute(
            "UPDATE envelopes SET header = substr(header, 1, 40) || (CASE WHEN substr(header, 41, 2) = X'0000' THEN X'0101' ELSE X'0000' END) || substr(header, 43)"
        )
        #expect {
            try t.investigation.detail(id)
        } throws: { error in
            guard case VaultError.partCorrupted(id.text, "envelope header", _) = error else { return false }
            return true
        }
    }

    @Test("a tampered or moved triage event is refused")
    func tamperedTriageEvent() throws {
        let t = try TestVault()
        let a = try t.compose(message: "a")
        let b = try t.compose(message: "b")
        try t.investigation.record(.note, value: "first", on: a)
        try t.investigation.record(.note, value: "second", on: a)
        try t.vault.debugExecute(
            "INSERT INTO events (tip_id, seq, sealed) SELECT '\(b.text)', 1, sealed FROM events WHERE tip_id = '\(a.text)' AND seq = 1")
        #expect(throws: VaultError.eventMisplaced(tip: b.text, seq: 1)) { try t.investigation.detail(b) }
        try t.vault.debugExecute(
            "UPDATE events SET sealed = substr(sealed, 1, 60) || (CASE WHEN substr(sealed, 61, 2) = X'FFFF' THEN X'0000' ELSE X'FFFF' END) || substr(sealed, 63) WHERE tip_id = '\(a.text)' AND seq = 2"
        )
        #expect(throws: VaultError.eventCorrupted(tip: a.text, seq: 2)) { try t.investigation.detail(a) }
        #expect(throws: VaultError.self) { try t.investigation.summaries() }
    }
}
