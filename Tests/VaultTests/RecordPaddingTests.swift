import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Issue 10, item 7: triage events and tipster notices are padded before sealing, so a seized
/// copy cannot read a tip's status or a reply's exact length from the record sizes.
@Suite("Sealed records are padded")
struct RecordPaddingTests {
    /// `crypto_box_seal` adds 48 bytes (ephemeral key and tag) to the 512-byte minimum bucket.
    static let sealedMinimum = Padding.recordMinimum + 48

    @Test("every status notice and triage event, and replies of 1 and 200 characters, seal to one length")
    func identicalSealedLengths() throws {
        let t = try TestVault()
        let tipster = ReplyKeyPair()
        let id = try t.compose(replyKey: tipster.publicBytes)
        let investigation = t.investigation
        for status in TipStatus.allCases { try investigation.record(.status, value: status.rawValue, on: id) }
        try investigation.record(.assign, value: "bob", on: id)
        try investigation.record(.tag, value: "urgent", on: id)
        try investigation.record(.untag, value: "urgent", on: id)
        try investigation.record(.note, value: "called back", on: id)
        let long = String(repeating: "r", count: 200)
        try investigation.reply("k", to: id)
        try investigation.reply(long, to: id)

        let events = try t.vault.debugStrings("SELECT length(sealed) FROM events")
        let notices = try t.vault.debugStrings("SELECT length(sealed) FROM notices")
        #expect(events == Array(repeating: "\(Self.sealedMinimum)", count: 11))
        #expect(notices == Array(repeating: "\(Self.sealedMinimum)", count: 7))

        // The tipster's side reads padded notices as any JSON reader would (the intake server's).
        let view = try #require(try t.vault.tipsterView(lookupID: try lookupID(of: id, in: t)))
        let opened = try view.sealedNotices.map { try tipster.open($0) }
        #expect(opened.map(\.text) == TipStatus.allCases.map(\.rawValue) + ["k", long])
        #expect(opened.allSatisfy { $0.version == 2 })
        let detail = try investigation.detail(id)
        #expect(detail.state.status == "closed")
        #expect(detail.events.filter { $0.kind == .reply }.map(\.value) == ["k", long])
    }

    @Test("a status notice pads to the documented bytes (FORMAT.md §11 vector)")
    func documentedVector() throws {
        let plain = try SealedRecord.padded(TipsterNotice(kind: .status, day: "2026-12-02", text: "closed"))
        let json = #"{"day":"2026-12-02","kind":"status","text":"closed","version":2}"#
        #expect(plain.count == 512)
        #expect(Array(plain.prefix(json.utf8.count)) == Array(json.utf8))
        #expect(plain.dropFirst(json.utf8.count).allSatisfy { $0 == 0x20 })
        #expect(
            plain.prefix(24).map { String(format: "%02x", $0) }.joined()
                == "7b22646179223a22323032362d31322d3032222c226b696e")
        #expect(try SealedRecord.padded(String(repeating: "x", count: 600)).count == 1024)
    }

    @Test("events written before padding (version 1, unpadded) still read; mismatched padding is damage")
    func unpaddedVersionOneStillReads() throws {
        let t = try TestVault()
        let id = try t.compose()
        let agency = try #require(try Vault.agencyPublicKeys(in: t.vaultDirectory).last)
        func insert(_ json: String, seq: Int) throws {
            let hex = SealedBox.seal(Array(json.utf8), to: agency).map { String(format: "%02x", $0) }.joined()
            try t.vault.debugExecute("INSERT INTO events (tip_id, seq, sealed) VALUES ('\(id.text)', \(seq), X'\(hex)')")
        }
        let old = #"{"by":"alice","day":"2026-11-01","kind":"status","tip":"\#(id.text)","value":"triaged","version":1}"#
        try insert(old, seq: 1)
        let detail = try t.investigation.detail(id)
        #expect(detail.state.status == "triaged")
        #expect(detail.events.map(\.version) == [1])

        // Version 1 with padding, and version 2 without, are both refused as altered records.
        try t.vault.debugExecute("DELETE FROM events")
        try insert(old + "   ", seq: 1)
        #expect(throws: VaultError.eventCorrupted(tip: id.text, seq: 1)) { try t.investigation.detail(id) }
        try t.vault.debugExecute("DELETE FROM events")
        try insert(old.replacingOccurrences(of: #""version":1"#, with: #""version":2"#), seq: 1)
        #expect(throws: VaultError.eventCorrupted(tip: id.text, seq: 1)) { try t.investigation.detail(id) }
    }

    func lookupID(of tip: TipID, in t: TestVault) throws -> [UInt8] {
        let hex = try t.vault.debugStrings("SELECT hex(lookup_id) FROM tips WHERE id = '\(tip.text)'")[0]
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
