import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Issue 10, item 14: random damage to a vault copy never yields a wrong answer presented as
/// right. Each trial flips bytes of a copy and runs what `list`, `show` and `export` run; an
/// answer counts as given "with exit 0" exactly when the command would exit 0 (no error, no
/// damage reported), and it is wrong when it differs from the undamaged vault's answer.
@Suite("Damaged vault copies")
struct DamageTrialTests {
    struct Answers: Equatable {
        var list: String?
        var show: [TipID: String] = [:]
        var export: [TipID: [Data]] = [:]
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    /// What each command would print with exit status 0; nil/absent where it would exit 1.
    static func answers(directory: URL, key: AgencySecretKey, tips: [TipID], scratch: URL) -> Answers {
        var answers = Answers()
        guard let vault = try? Vault(readingFrom: directory, policy: .init()) else { return answers }
        let investigation = Investigation(vault: vault, keys: [key], investigator: "alice")
        if let (listed, damaged) = try? investigation.listing(), damaged.isEmpty { answers.list = json(listed) }
        guard let structural = try? vault.structuralDamage(), structural.isEmpty else { return answers }
        for tip in tips {
            guard let resolved = try? vault.resolveTip(tip.short) else { continue }
            if let detail = try? investigation.detail(resolved) { answers.show[tip] = json(detail) }
            let out = scratch.appendingPathComponent("export-\(tip.text)-\(UUID().uuidString.prefix(6))")
            if let files = try? investigation.export(resolved, to: out) {
                answers.export[tip] = files.map { (try? Data(contentsOf: out.appendingPathComponent($0.name))) ?? Data() }
            }
        }
        return answers
    }

    @Test("100 trials flipping random non-zero bytes of a vault copy: 0 crashes, 0 wrong answers given with exit 0")
    func randomFlips() throws {
        let t = try TestVault()
        let tipster = ReplyKeyPair()
        let lookup = TestVault.randomLookupID()
        let alpha = try t.compose(message: "alpha", replyKey: tipster.publicBytes, lookupID: lookup, attachments: [3000])
        let recipients = try Vault.agencyPublicKeys(in: t.vaultDirectory)
        let followUp = try #require(try TipComposer.followUp(vault: t.vault, lookupID: lookup, recipients: recipients))
        _ = try followUp.finish(document: TipDocument(kind: .followUp, message: "alpha follow-up"))
        try t.investigation.record(.status, value: "triaged", on: alpha)
        try t.investigation.record(.assign, value: "bob", on: alpha)
        try t.investigation.reply("thanks", to: alpha)
        let bravo = try t.compose(message: "bravo")
        let charlie = try t.compose(message: "charlie", attachments: [2000])
        try t.investigation.record(.status, value: "closed", on: charlie)
        try t.vault.compact()
        let tips = [alpha, bravo, charlie]
        let original = try Data(contentsOf: t.vaultDirectory.appendingPathComponent("vault.sqlite"))
        let agency = try Data(contentsOf: t.vaultDirectory.appendingPathComponent("agency.pub"))

        let scratch = t.root.appendingPathComponent("trials")
        func copy(_ bytes: Data, trial: Int) throws -> URL {
            let directory = scratch.appendingPathComponent("vault-\(trial)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try bytes.write(to: directory.appendingPathComponent("vault.sqlite"))
            try agency.write(to: directory.appendingPathComponent("agency.pub"))
            return directory
        }
        let golden = Self.answers(directory: try copy(original, trial: -1), key: t.key, tips: tips, scratch: scratch)
        #expect(golden.list != nil && golden.show.count == 3 && golden.export.count == 3)

        // Seeded, so a failing trial can be replayed: xorshift64*.
        var state: UInt64 = 0x7469_706C_696E_6531
        func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        // Bytes that hold something (most of a small vault's pages are zero-filled free space,
        // where a flip changes nothing): damage lands on records, headers and b-tree cells.
        let content = original.indices.filter { original[$0] != 0 }
        var (wrong, unchanged, refused) = (0, 0, 0)
        for trial in 0..<100 {
            var bytes = original
            var flips: [String] = []
            for _ in 0..<(1 + Int(next() % 3)) {
                let offset = content[Int(next() % UInt64(content.count))]
                let mask = UInt8(1 + next() % 255)
                bytes[offset] ^= mask
                flips.append("\(offset)^\(mask)")
            }
            let directory = try copy(bytes, trial: trial)
            let answers = Self.answers(directory: directory, key: t.key, tips: tips, scratch: scratch)
            if answers == golden { unchanged += 1; continue }
            var bad: [String] = []
            if let list = answers.list, list != golden.list { bad.append("list") }
            for (tip, shown) in answers.show where shown != golden.show[tip] { bad.append("show \(tip.short)") }
            for (tip, files) in answers.export where files != golden.export[tip] { bad.append("export \(tip.short)") }
            if bad.isEmpty { refused += 1 } else { wrong += 1 }
            #expect(bad.isEmpty, "trial \(trial) (flips \(flips)): wrong with exit 0: \(bad)")
        }
        #expect(wrong == 0)
        #expect(unchanged + refused == 100)
        print("damage trials: \(unchanged) unchanged, \(refused) refused at least one answer, \(wrong) wrong")
    }
}
