import Foundation
import TiplineCrypto

/// The test side of the investigator service: signs each request with `TiplineCrypto` as a
/// real client would (FORMAT.md §14) and sends it on a fresh loopback connection.
struct InvestigatorClient {
    let port: Int
    let key: InvestigatorSigningKey

    /// A key seeded with 32 copies of `byte`, so tests can scan files for its seed.
    static func key(_ byte: UInt8) -> InvestigatorSigningKey {
        try! InvestigatorSigningKey(seed: SecureBytes(copying: [UInt8](repeating: byte, count: 32)))
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// A signed request; `timestamp`, `nonce` and `signedTarget` let tests forge refusals.
    func send(
        _ method: String, _ target: String, body: [UInt8] = [], timestamp: Int64 = now, nonce: String? = nil,
        signedTarget: String? = nil
    ) throws -> RawResponse {
        let signature = RequestSignature.sign(
            method: method, target: signedTarget ?? target, body: body, key: key, timestamp: timestamp, nonce: nonce)
        return try RawConnection.exchange(port: port, method, target, headers: signature.headers.map { ($0.name, $0.value) }, body: body)
    }

    /// A roster signed by this client's key.
    func roster(_ sequence: UInt64, _ members: [(String, InvestigatorSigningKey, Roster.Role)]) throws -> [UInt8] {
        try Roster(sequence: sequence, members: members.map { Roster.Member(name: $0.0, key: $0.1.publicKey, role: $0.2) }).signed(by: key).bytes
    }

    /// FORMAT.md §11: compact sorted JSON padded with spaces to its bucket, sealed.
    static func padded(_ json: String) -> [UInt8] {
        let bytes = Array(json.utf8)
        return bytes + [UInt8](repeating: 0x20, count: Padding.recordLength(bytes.count) - bytes.count)
    }
}
