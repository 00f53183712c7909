import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Issue 10, item 8: ids, days, statuses and event strings from the database and from events
/// never reach the terminal raw (text or `--json`); malformed ids and days are damage.
@Suite("No control character from the vault reaches stdout or stderr")
final class TerminalInjectionTests {
    let root: URL
    let env = ["TIPVAULT_PASSPHRASE": "injection passphrase"]
    let common = ["--vault", "v", "--keyring", "k"]
    /// OSC title set, BEL, clear screen, right-to-left override, Arabic letter mark, a C1 CSI.
    static let attack = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}\u{061C}\u{9B}"
    static let sqlAttack = "char(27) || ']0;pwned' || char(7) || char(27) || '[2J' || char(8238) || char(1564) || char(155)"

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tipvault-inj-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(try CLI.run(["init", "--vault", "v", "--keyring", "k", "--investigator", "ana"], env: env, in: root).status == 0)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// No ESC, BEL, C1 control, bidi control or other unsafe scalar anywhere in `text`.
    func expectClean(_ text: String, _ what: String) {
        let bad = text.unicodeScalars.filter { $0 != "\n" && Output.isUnsafe($0) }
        #expect(bad.isEmpty, "\(what) carries \(bad.map { String($0.value, radix: 16) })")
        #expect(!text.utf8.contains(0x1B) && !text.utf8.contains(0x07))
    }

    @Test("hostile event strings are cleaned in text and escaped in JSON; hostile ids, days and statuses are damage")
    func hostileStrings() throws {
        let vault = try Vault(directory: root.appendingPathComponent("v"), policy: .init())
        let agency = try #require(try Vault.agencyPublicKeys(in: vault.directory).last)
        func compose(_ message: String) throws -> TipID {
            try TipComposer(vault: vault, lookupID: TestVault.randomLookupID(), recipients: [agency])
                .finish(document: TipDocument(kind: .tip, message: message))
        }
        func plant(_ event: TriageEvent, on tip: TipID, seq: Int) throws {
            let hex = SealedBox.seal(try SealedRecord.padded(event), to: agency).map { String(format: "%02x", $0) }.joined()
            try vault.debugExecute("INSERT INTO events (tip_id, seq, sealed) VALUES ('\(tip.text)', \(seq), X'\(hex)')")
        }
        let day = vault.today()
        let sound = try compose("sound tip")
        try plant(TriageEvent(tip: sound, kind: .assign, value: "bob" + Self.attack, by: "eve" + Self.attack, day: day), on: sound, seq: 1)
        try plant(TriageEvent(tip: sound, kind: .note, value: "note" + Self.attack, by: "eve", day: day), on: sound, seq: 2)
        try plant(TriageEvent(tip: sound, kind: .tag, value: "tag" + Self.attack, by: "eve", day: day), on: sound, seq: 3)
        let badStatus = try compose("bad status")
        try plant(TriageEvent(tip: badStatus, kind: .status, value: "closed" + Self.attack, by: "eve", day: day), on: badStatus, seq: 1)
        let badEventDay = try compose("bad event day")
        try plant(TriageEvent(tip: badEventDay, kind: .note, value: "n", by: "eve", day: day + Self.attack), on: badEventDay, seq: 1)
        let badDay = try compose("bad day")
        try vault.debugExecute("UPDATE tips SET day = day || \(Self.sqlAttack) WHERE id = '\(badDay.text)'")
        try vault.debugExecute("UPDATE envelopes SET day = day || \(Self.sqlAttack) WHERE tip_id = '\(badDay.text)'")
        try vault.debugExecute("INSERT INTO tips (id, lookup_id, day) VALUES ('zzzz' || \(Self.sqlAttack), X'01', '\(day)')")

        let list = try CLI.run(["list"] + common, env: env, in: root)
        let listJSON = try CLI.run(["list", "--json"] + common, env: env, in: root)
        for (what, result) in [("list", list), ("list --json", listJSON)] {
            expectClean(result.out, what + " stdout")
            expectClean(result.err, what + " stderr")
            #expect(result.status == 1)
            #expect(
                Set(result.err.split(separator: "\n").map(String.init)) == [
                    "tipvault: error: the vault is damaged: a tip's stored id is not a tip id",
                    "tipvault: error: tip \(badDay.text) is damaged: its day is not a date",
                    "tipvault: error: triage event 1 of tip \(badStatus.text) did not open: it was altered or sealed to another key",
                    "tipvault: error: triage event 1 of tip \(badEventDay.text) did not open: it was altered or sealed to another key",
                    "tipvault: hint: the vault file was altered; restore it from a backup",
                ])
        }
        #expect(list.out.contains("\(sound.short)  \(day)"))
        let summaries = try JSONDecoder().decode([TipSummary].self, from: Data(listJSON.out.utf8))
        #expect(summaries.map(\.id) == [sound])
        #expect(summaries.first?.assignee == "bob" + Self.attack, "JSON escapes, it does not change values")
        #expect(listJSON.out.lowercased().contains(#""assignee" : "bob\u001b]0;pwned\u0007\u001b[2j\u202e\u061c\u009b""#))

        let show = try CLI.run(["show", sound.short] + common, env: env, in: root)
        let showJSON = try CLI.run(["show", sound.short, "--json"] + common, env: env, in: root)
        for (what, result) in [("show", show), ("show --json", showJSON)] {
            expectClean(result.out, what + " stdout")
            #expect(result.status == 0, "\(what): \(result.err)")
            #expect(result.err == "")
        }
        #expect(show.out.contains("assignee bob ]0;pwned  [2J"))
        #expect(show.out.contains("  \(day)  eve ]0;pwned  [2J     assign bob ]0;pwned  [2J   "))
        let detail = try JSONDecoder().decode(TipDetail.self, from: Data(showJSON.out.utf8))
        #expect(detail.events.map(\.value) == ["bob", "note", "tag"].map { $0 + Self.attack })

        for (tip, error) in [
            (badDay, "tipvault: error: tip \(badDay.text) is damaged: its day is not a date"),
            (badStatus, "tipvault: error: triage event 1 of tip \(badStatus.text) did not open: it was altered or sealed to another key"),
            (TipID("zzzz000000000000000000000a")!, "tipvault: error: tip zzzz is damaged: its stored id is not a tip id"),
        ] {
            let result = try CLI.run(["show", String(tip.text.prefix(4))] + common, env: env, in: root)
            #expect(result.status == 1)
            #expect(result.out == "")
            #expect(result.err.hasPrefix(error + "\n"), "\(result.err)")
            expectClean(result.err, "show stderr")
        }
    }
}
