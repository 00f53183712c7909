import Testing

@testable import TiplineCrypto

@Suite("Request signatures")
struct RequestSignatureTests {
    let ben = SigningFixtures.key(2)
    static let target = "/investigator/v1/changes?since=2026-12-01"
    static let nonce = "000102030405060708090a0b0c0d0e0f"
    /// FORMAT.md §14.2, computed independently (Python `cryptography` and `hashlib.blake2b`).
    static let signature = "bxXDmkrynfDvCRwJdRog4nxEjCK/RFaQoWeO3ichBoeT/y/IB9FTV+kelEl0nNpb5rWIrvSkcDy0Ct+lLGEIAg=="

    @Test("the documented request signs to the documented string and signature")
    func documentedVector() throws {
        let message = RequestSignature.message(method: "GET", target: Self.target, body: [], timestamp: 1_796_169_600, nonce: Self.nonce)
        #expect(
            String(decoding: message, as: UTF8.self)
                == "tipline-request-v1\nGET\n/investigator/v1/changes?since=2026-12-01\n"
                + "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8\n1796169600\n000102030405060708090a0b0c0d0e0f")
        let signed = RequestSignature.sign(method: "GET", target: Self.target, body: [], key: ben, timestamp: 1_796_169_600, nonce: Self.nonce)
        #expect(signed.headers.map(\.value) == [ben.publicKey.text, "1796169600", Self.nonce, Self.signature])
        #expect(signed.headers.map(\.name) == ["Tipline-Key", "Tipline-Timestamp", "Tipline-Nonce", "Tipline-Signature"])
        let parsed = try RequestSignature(key: ben.publicKey.text, timestamp: "1796169600", nonce: Self.nonce, signature: Self.signature)
        #expect(parsed == signed)
        #expect(parsed.verifies(method: "GET", target: Self.target, body: []))
    }

    @Test("a signature does not carry over to another method, target, body, time or nonce")
    func binding() throws {
        let body = Array("sealed".utf8)
        let s = RequestSignature.sign(method: "POST", target: "/investigator/v1/tips/x/events", body: body, key: ben, timestamp: 100)
        #expect(s.nonce.count == 32)
        #expect(s.verifies(method: "POST", target: "/investigator/v1/tips/x/events", body: body))
        #expect(!s.verifies(method: "PUT", target: "/investigator/v1/tips/x/events", body: body))
        #expect(!s.verifies(method: "POST", target: "/investigator/v1/tips/y/events", body: body))
        #expect(!s.verifies(method: "POST", target: "/investigator/v1/tips/x/events?a=1", body: body))
        #expect(!s.verifies(method: "POST", target: "/investigator/v1/tips/x/events", body: body + [0]))
        let values = s.headers.map(\.value)
        let later = try RequestSignature(key: values[0], timestamp: "101", nonce: values[2], signature: values[3])
        #expect(!later.verifies(method: "POST", target: "/investigator/v1/tips/x/events", body: body))
        let otherNonce = try RequestSignature(key: values[0], timestamp: values[1], nonce: Self.nonce, signature: values[3])
        #expect(!otherNonce.verifies(method: "POST", target: "/investigator/v1/tips/x/events", body: body))
    }

    @Test("malformed header values are refused, naming the header")
    func malformedHeaders() {
        let key = ben.publicKey.text
        let cases: [(String, String, String, String, String)] = [
            ("key", "tipline-agency-pk-v1:AAAA", "1", Self.nonce, Self.signature),
            ("timestamp", key, "", Self.nonce, Self.signature), ("timestamp", key, "-5", Self.nonce, Self.signature),
            ("timestamp", key, "0100", Self.nonce, Self.signature), ("timestamp", key, "1e9", Self.nonce, Self.signature),
            ("nonce", key, "1", String(Self.nonce.dropLast()), Self.signature), ("nonce", key, "1", Self.nonce.uppercased(), Self.signature),
            ("signature", key, "1", Self.nonce, String(Self.signature.dropLast(4))),
        ]
        for (reason, k, t, n, s) in cases {
            #expect(throws: SignedFormatError.malformedRequestSignature(reason: reason)) {
                try RequestSignature(key: k, timestamp: t, nonce: n, signature: s)
            }
        }
    }

    @Test("record ids are BLAKE2b-128 of the bytes")
    func recordID() {
        #expect(RecordDigest.id(of: Array("hello".utf8)) == "46fb7408d4f285228f4af516ea25851b")
    }
}
