import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Exact stdout, stderr and exit status of `tipvault` for the common paths and errors.
@Suite("tipvault CLI golden output", .enabled(if: CLI.binary != nil, "the tipvault binary is not built"))
final class CLIGoldenTests {
    let root: URL
    let env = ["TIPVAULT_PASSPHRASE": "golden passphrase"]
    var common: [String] { ["--vault", "v", "--keyring", "k"] }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tipvault-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let result = try CLI.run(["init", "--vault", "v", "--keyring", "k", "--investigator", "ana"], env: env, in: root)
        #expect(result.status == 0)
        #expect(result.err == "")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func vault() throws -> Vault { try Vault(directory: root.appendingPathComponent("v"), policy: .init()) }

    @Test("init prints the fingerprint and where each file went")
    func initOutput() throws {
        let key = try #require(try Vault.agencyPublicKeys(in: root.appendingPathComponent("v")).first)
        let again = try CLI.run(["init", "--vault", "v", "--keyring", "k2"], env: env, in: root)
        #expect(again.status == 1)
        #expect(again.out == "")
        #expect(again.err == "tipvault: error: \(root.path)/v/agency.pub already holds an agency key; nothing was changed\n")
        let list = try CLI.run(["investigator", "list", "--keyring", "k"], env: env, in: root)
        #expect(list.out == "INVESTIGATOR  GENERATION  AGENCY KEY\nana           1           \(key.fingerprint)\n")
    }

    @Test("list on an empty vault, then with a tip whose text carries control characters")
    func listOutput() throws {
        #expect(try CLI.run(["list"] + common, env: env, in: root).out == "no tips\n")
        let vault = try vault()
        let composer = try TipComposer(
            vault: vault, lookupID: TestVault.randomLookupID(), recipients: try Vault.agencyPublicKeys(in: vault.directory))
        try composer.beginAttachment(0)
        try composer.push([1, 2, 3])
        let bytes = try composer.endAttachment()
        let id = try composer.finish(
            document: TipDocument(
                kind: .tip, message: "Bad \u{1B}[2Jthing\u{7} at the dock\nsecond line", category: "safety",
                attachments: [AttachmentEntry(index: 0, name: "attachment-1.png", format: "png", bytes: bytes)]))
        let day = vault.today()
        let list = try CLI.run(["list"] + common, env: env, in: root)
        #expect(list.status == 0)
        #expect(list.err == "")
        #expect(
            list.out == """
                ID          DAY         CATEGORY  STATUS  ASSIGNEE  TAGS  FILES  MESSAGE
                \(id.short)  \(day)  safety    new     -         -     1 png  Bad  [2Jthing  at the dock

                """)
        let status = try CLI.run(["status", String(id.text.prefix(6)), "closed"] + common, env: env, in: root)
        #expect(status.out == "tip \(id.short): status set to closed\n")
        let filtered = try CLI.run(["list", "--status", "new"] + common, env: env, in: root)
        #expect(filtered.out == "no tips\n")
        let json = try CLI.run(["list", "--json"] + common, env: env, in: root)
        let tips = try JSONDecoder().decode([TipSummary].self, from: Data(json.out.utf8))
        #expect(tips.map(\.status) == ["closed"])
        #expect(tips.first?.firstLine == "Bad \u{1B}[2Jthing\u{7} at the dock")  // JSON keeps the text; escaping is JSON's job
    }

    @Test("errors speak in one voice with a hint and exit 1")
    func errorOutput() throws {
        let wrong = try CLI.run(["list"] + common, env: ["TIPVAULT_PASSPHRASE": "nope"], in: root)
        #expect(wrong.status == 1)
        #expect(wrong.out == "")
        #expect(
            wrong.err == """
                tipvault: error: wrong passphrase for investigator ana; no key was unlocked
                tipvault: hint: check the passphrase (TIPVAULT_PASSPHRASE, --passphrase-file or the prompt)

                """)
        let missing = try CLI.run(["show", "nope1234"] + common, env: env, in: root)
        #expect(missing.status == 1)
        #expect(
            missing.err == """
                tipvault: error: no tip with id nope1234
                tipvault: hint: run `tipvault list` to see tip ids; a unique prefix of 4 or more characters is enough

                """)
        let noVault = try CLI.run(["list", "--vault", "elsewhere", "--keyring", "k"], env: env, in: root)
        #expect(noVault.status == 1)
        #expect(
            noVault.err == """
                tipvault: error: cannot open the vault at \(root.path)/elsewhere: it holds no vault.sqlite
                tipvault: hint: check --vault points at the directory `tipvault init` created and that you may read it

                """)
        // (Not the prompt path: a developer's terminal would make the test wait for typing.)
        let noPassphrase = try CLI.run(["list", "--passphrase-file", "missing.txt"] + common, in: root)
        #expect(noPassphrase.status == 1)
        #expect(
            noPassphrase.err == """
                tipvault: error: no passphrase: cannot read missing.txt
                tipvault: hint: pass --passphrase-file FILE or set TIPVAULT_PASSPHRASE when there is no terminal

                """)
    }

    @Test("reply, show and export through the binary")
    func replyShowExport() throws {
        let vault = try vault()
        let reply = ReplyKeyPair()
        let lookup = TestVault.randomLookupID()
        let composer = try TipComposer(vault: vault, lookupID: lookup, recipients: try Vault.agencyPublicKeys(in: vault.directory))
        try composer.beginAttachment(0)
        try composer.push(Array("pixels".utf8))
        let bytes = try composer.endAttachment()
        let id = try composer.finish(
            document: TipDocument(
                kind: .tip, message: "Look at this", category: "fraud", replyPublicKey: reply.publicBytes,
                attachments: [AttachmentEntry(index: 0, name: "attachment-1.jpg", format: "jpeg", bytes: bytes, removed: ["gps"], kept: [])]))
        let r = try CLI.run(["reply", id.text, "Thanks, we are on it"] + common, env: env, in: root)
        #expect(r.out == "reply stored for tip \(id.short); the tipster sees it with their receipt\n")
        let notices = try #require(try vault.tipsterView(lookupID: lookup)).sealedNotices.map { try reply.open($0) }
        #expect(notices == [TipsterNotice(kind: .reply, day: vault.today(), text: "Thanks, we are on it")])

        let show = try CLI.run(["show", id.short] + common, env: env, in: root)
        #expect(
            show.out == """
                tip \(id.text)  received \(vault.today())  category fraud
                status new  assignee -  tags -

                message:
                  Look at this

                attachments:
                  1. photo (jpeg)  6 B  removed: gps  kept: nothing

                conversation:
                  \(vault.today())  reply by ana: Thanks, we are on it

                """)
        let export = try CLI.run(["export", id.short, "--to", "out"] + common, env: env, in: root)
        #expect(export.out == "wrote attachment-1.jpg (6 B)\n")
        #expect(try String(contentsOf: root.appendingPathComponent("out/attachment-1.jpg"), encoding: .utf8) == "pixels")
        let again = try CLI.run(["export", id.short, "--to", "out"] + common, env: env, in: root)
        #expect(again.status == 1)
        #expect(
            again.err == """
                tipvault: error: \(root.path)/out/attachment-1.jpg already exists; nothing was overwritten
                tipvault: hint: choose an empty or new directory with --to

                """)
    }
}
