import Foundation
import Testing
import TiplineCrypto

/// `tipvault roster` (issue 11): the admin changes who may use the investigator service from
/// their own machine, with their own signing key; the server keeps what verifies. Against a
/// real `tipintake serve --investigator-port`, with the real CLI.
@Suite("tipvault roster against the investigator service", .serialized)
struct InvestigatorRosterCLITests {
    @Test("an admin pinned in admin.pub signs rosters with the CLI: set, show, revoke; a non-admin's change is refused")
    func adminChangesTheRoster() throws {
        // Start with a placeholder admin, then pin ana (the keyring ServerUnderTest made) instead.
        let server = try ServerUnderTest(adminKeys: [InvestigatorClient.key(0xB2).publicKey.text])
        let keyring = server.keyring.path
        func line(_ r: Run.Result, _ prefix: String) -> String? {
            r.out.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        }
        let ana = try #require(line(try server.tipvault(["whoami", "--keyring", keyring]), "signing-key: "))
        try (ana + "\n").write(to: server.vault.appendingPathComponent("admin.pub"), atomically: true, encoding: .utf8)
        try server.restart()
        let url = "http://127.0.0.1:\(server.investigatorPort)"
        #expect(try server.tipvault(["remote", "add", url, "--keyring", keyring]).status == 0)

        let empty = try server.tipvault(["roster", "show", "--keyring", keyring])
        #expect(empty.status == 0 && empty.out.hasPrefix("no roster yet"), "\(empty.out)\(empty.err)")
        let first = try server.tipvault(["roster", "set", "ana", ana, "--role", "admin", "--keyring", keyring])
        #expect(first.out == "roster sequence 1: ana is admin\n", "\(first.err)")

        let passFile = server.root.appendingPathComponent("bo.pass")
        try Data(ServerUnderTest.passphrase.utf8).write(to: passFile)
        let added = try server.tipvault(
            ["investigator", "add", "bo", "--keyring", keyring, "--investigator", "ana", "--new-passphrase-file", passFile.path])
        #expect(added.status == 0, "\(added.err)")
        let bo = try #require(line(try server.tipvault(["whoami", "--keyring", keyring, "--investigator", "bo"]), "signing-key: "))
        #expect(
            try server.tipvault(["roster", "set", "bo", bo, "--keyring", keyring, "--investigator", "ana"]).out
                == "roster sequence 2: bo is investigator\n")

        // bo is no admin: the server refuses a roster bo signed.
        let mutiny = try server.tipvault(["roster", "set", "eve", ana, "--keyring", keyring, "--investigator", "bo"])
        #expect(mutiny.status == 1 && mutiny.err.contains("403"), "\(mutiny.err)")

        let shown = try server.tipvault(["roster", "show", "--keyring", keyring, "--investigator", "bo"])
        #expect(shown.status == 0, "\(shown.err)")
        #expect(shown.out.hasPrefix("roster sequence 2, signed by \(ana)\n"), "\(shown.out)")
        #expect(shown.out.contains("  ana  admin  \(ana)\n") && shown.out.contains("  bo  investigator  \(bo)\n"))

        let removed = try server.tipvault(["roster", "remove", "bo", "--keyring", keyring, "--investigator", "ana"])
        #expect(removed.out == "roster sequence 3: bo is revoked\n", "\(removed.err)")
        let locked = try server.tipvault(["roster", "show", "--keyring", keyring, "--investigator", "bo"])
        #expect(locked.status == 1 && locked.err.contains("403 revoked"), "\(locked.err)")
        let again = try server.tipvault(["roster", "remove", "bo", "--keyring", keyring, "--investigator", "ana"])
        #expect(again.status == 1 && again.err.contains("tipvault: error: the roster was not changed: no current member is named bo"), "\(again.err)")
        let badKey = try server.tipvault(["roster", "set", "cy", "not-a-key", "--keyring", keyring, "--investigator", "ana"])
        #expect(badKey.status == 1 && badKey.err.contains("the roster was not changed"), "\(badKey.err)")
    }
}
