import Foundation
import Testing
import TiplineCrypto
import TiplinePolicy

@testable import TiplineVault

/// What a thief with the whole server gets: the vault directory (database, WAL, shared memory,
/// agency.pub, session locks) and the policy, but never the keyring or a passphrase.
@Suite("Server copy")
struct ServerCopyTests {
    static let canaries = [
        "CANARY-MESSAGE-6f1d", "CANARY-CATEGORY-0b7e", "CANARY-ANSWER-3c55", "CANARY-ATTACHMENT-92ad",
        "CANARY-REPLY-4e80", "CANARY-NOTE-d713", "CANARY-ASSIGNEE-17aa", "CANARY-TAG-c0de", "CANARY-FOLLOWUP-5a5a",
    ]

    @Test("a copy of the server's files holds no canary byte and opens nothing")
    func serverCopyRevealsNothing() throws {
        let t = try TestVault()
        let reply = ReplyKeyPair()
        let lookup = TestVault.randomLookupID()
        let recipients = try Vault.agencyPublicKeys(in: t.vaultDirectory)
        let composer = try TipComposer(vault: t.vault, lookupID: lookup, recipients: [recipients.last!])
        try composer.beginAttachment(0)
        for _ in 0..<200 { try composer.push(Array("CANARY-ATTACHMENT-92ad ".utf8)) }
        let size = try composer.endAttachment()
        let id = try composer.finish(
            document: TipDocument(
                kind: .tip, message: "Hello CANARY-MESSAGE-6f1d", category: "CANARY-CATEGORY-0b7e",
                answers: ["q": "CANARY-ANSWER-3c55"], replyPublicKey: reply.publicBytes,
                attachments: [AttachmentEntry(index: 0, name: "attachment-1.jpg", format: "jpeg", bytes: size)]))
        let followUp = try #require(try TipComposer.followUp(vault: t.vault, lookupID: lookup, recipients: recipients))
        _ = try followUp.finish(document: TipDocument(kind: .followUp, message: "CANARY-FOLLOWUP-5a5a"))
        let investigation = t.investigation
        try investigation.reply("CANARY-REPLY-4e80", to: id)
        try investigation.record(.note, value: "CANARY-NOTE-d713", on: id)
        try investigation.record(.assign, value: "CANARY-ASSIGNEE-17aa", on: id)
        try investigation.record(.tag, value: "CANARY-TAG-c0de", on: id)
        try investigation.record(.status, value: "actioned", on: id)
        // The investigator can read all of it (the canaries are really there).
        let detail = try investigation.detail(id)
        #expect(detail.message.contains("CANARY-MESSAGE-6f1d"))
        #expect(detail.state.tags == ["CANARY-TAG-c0de"])

        // Copy while the vault is open, so the WAL and shared-memory files are in the copy.
        let copy = t.root.appendingPathComponent("seized", isDirectory: true)
        try FileManager.default.copyItem(at: t.vaultDirectory, to: copy)
        try Data("version: 1\nvault:\n  date_granularity: day\n".utf8).write(to: copy.appendingPathComponent("policy.yaml"))
        let files = try allFileBytes(under: copy)
        #expect(files.contains { $0.path.hasSuffix("vault.sqlite-wal") && !$0.bytes.isEmpty })
        for (path, bytes) in files {
            for canary in Self.canaries {
                #expect(!bytes.contains(canary), "\(canary) found in \(path)")
            }
            #expect(!bytes.contains(Keyring.magic), "keyring material in \(path)")
            #expect(!bytes.contains("TLKEY"), "a wrapped key in \(path)")
        }

        // Without the keyring: the copy opens as a database, but no key the thief can make opens a tip.
        let seized = try Vault(directory: copy, policy: VaultPolicy())
        #expect(throws: VaultError.noKeyOpensTip(tip: id.text)) {
            try Investigation(vault: seized, keys: [AgencySecretKey.generate()], investigator: "thief").summaries()
        }
        #expect(throws: VaultError.noKeyOpensTip(tip: id.text)) {
            try Investigation(vault: seized, keys: [], investigator: "thief").detail(id)
        }
        #expect(throws: VaultError.keyringMissing(path: copy.appendingPathComponent("keyring").path)) {
            try Keyring(directory: copy.appendingPathComponent("keyring")).entries()
        }
        // The tipster view is ciphertext to the reply key only; the agency key cannot open it either.
        let notices = try #require(try seized.tipsterView(lookupID: lookup)).sealedNotices
        #expect(notices.count == 2)
        for sealed in notices { #expect(throws: CryptoError.self) { try SealedBox.open(sealed, with: t.key) } }
    }
}
