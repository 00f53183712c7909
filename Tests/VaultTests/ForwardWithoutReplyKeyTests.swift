import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// Issue 10, item 15 (forwarding): the other agency receives the tip without the tipster's
/// reply public key, and under a file key of its own.
@Suite("Forwarding drops the reply key")
struct ForwardWithoutReplyKeyTests {
    @Test("the forwarded document, opened with the receiving key, holds no reply key; attachments round-trip")
    func noReplyKeyInForwardedBytes() throws {
        let t = try TestVault()
        let tipster = ReplyKeyPair()
        let id = try t.compose(message: "forward me", replyKey: tipster.publicBytes, attachments: [1, 300_000])
        let other = AgencySecretKey.generate()
        let file = t.root.appendingPathComponent("tip.tlfwd")
        try ForwardedEnvelope.write(id, from: t.investigation, to: other.publicKey, file: file)

        // Decrypt the document part by hand with the receiving agency's key: no reply key.
        let bytes = [UInt8](try Data(contentsOf: file))
        let headerLength = Int(bytes[6..<10].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        let header = Array(bytes[10..<10 + headerLength])
        var offset = 10 + headerLength + 4
        #expect(bytes[offset] == 0)
        let documentLength = Int(bytes[offset + 5..<offset + 13].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        offset += 13
        let reader = try EnvelopeReader(header: header, secretKey: other)
        let plain = try Investigation.decrypt(
            Array(bytes[offset..<offset + documentLength]), part: .document, reader: reader, tip: id)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plain)) as? [String: Any])
        #expect(json["replyPublicKey"] == nil)
        #expect(json["message"] as? String == "forward me")
        let base64 = Data(tipster.publicBytes).base64EncodedString()
        #expect(!Data(plain).contains(base64))
        #expect(Data(bytes).range(of: Data(tipster.publicBytes)) == nil)

        // A new file key: the vault's own header does not open these parts.
        let vaultHeader = try t.vault.envelopes(of: id)[0].header
        #expect(header != vaultHeader)

        let out = t.root.appendingPathComponent("theirs")
        let (document, files) = try ForwardedEnvelope.open(file: file, keys: [other], exportTo: out)
        #expect(document.replyPublicKey == nil)
        #expect(document.message == "forward me")
        #expect(files.map(\.bytes) == [1, 300_000])
        #expect(try Data(contentsOf: out.appendingPathComponent("attachment-1.jpg")) == Data(TestVault.pattern(count: 1, seed: 0)))
        #expect(try Data(contentsOf: out.appendingPathComponent("attachment-2.jpg")) == Data(TestVault.pattern(count: 300_000, seed: 1)))
    }
}
