import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import TiplineCrypto

/// Checks every request to the investigator listener (FORMAT.md §14) in an order that spends
/// nothing on strangers: headers, key, clock, body size, signature, roster role, nonce. A nonce
/// is remembered only after its signature verified, so nobody can burn another's nonces.
struct InvestigatorAuth: Sendable {
    /// ±300 s around the server's clock.
    static let window: Int64 = 300
    /// Sealed records and rosters are small; nothing the listener takes is bigger.
    static let maxBodyBytes = 1 << 20

    let roster: InvestigatorRoster
    let nonces: NonceWindow
    /// Unix seconds at start: earlier timestamps are refused, so a request captured before a
    /// restart (when the in-memory nonces were lost) cannot be replayed after it.
    let startedAt: Int64
    let now: @Sendable () -> Int64

    struct Caller: Sendable {
        let key: InvestigatorPublicKey
        let role: Roster.Role
        let body: [UInt8]
    }

    func authenticate(_ request: Request, adminOnly: Bool = false) async throws -> Caller {
        let names = [
            RequestSignature.keyHeader, RequestSignature.timestampHeader, RequestSignature.nonceHeader, RequestSignature.signatureHeader,
        ]
        let values = names.map { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        guard values.allSatisfy({ $0 != nil }) else { throw InvestigatorError.unsigned }
        let signature: RequestSignature
        do {
            signature = try RequestSignature(key: values[0]!, timestamp: values[1]!, nonce: values[2]!, signature: values[3]!)
        } catch {
            if case .malformedRequestSignature(let reason) = error { throw InvestigatorError.malformed(reason) }
            throw InvestigatorError.malformed("request")
        }
        guard let role = roster.role(of: signature.key) else { throw InvestigatorError.unknownKey }
        let clock = now()
        guard abs(signature.timestamp - clock) <= Self.window, signature.timestamp >= startedAt else { throw InvestigatorError.stale }
        let body = try await Self.body(of: request)
        guard signature.verifies(method: request.method.rawValue, target: request.head.path ?? "", body: body) else {
            throw InvestigatorError.badSignature
        }
        guard role != .revoked else { throw InvestigatorError.revoked }
        if adminOnly && role != .admin { throw InvestigatorError.adminOnly }
        try nonces.use(signature.nonce, expires: signature.timestamp + Self.window, now: clock)
        return Caller(key: signature.key, role: role, body: body)
    }

    /// The whole body, refused with 413 as soon as it is known to be over the limit.
    static func body(of request: Request) async throws -> [UInt8] {
        if let length = HeaderParameters.contentLength(request.headers[.contentLength]), length > maxBodyBytes {
            throw InvestigatorError.tooLarge
        }
        var bytes: [UInt8] = []
        do {
            for try await buffer in request.body {
                bytes += buffer.readableBytesView
                if bytes.count > maxBodyBytes { throw InvestigatorError.tooLarge }
            }
        } catch let error as InvestigatorError {
            throw error
        } catch {
            throw InvestigatorError.badRequest("The request body ended early; send it again.")
        }
        return bytes
    }
}

/// Nonces seen within the timestamp window, in memory only. Bounded: when full of unexpired
/// nonces it refuses new requests (503) rather than grow without limit.
final class NonceWindow: Sendable {
    static let capacity = 100_000
    private let seen = Mutex([String: Int64]())

    func use(_ nonce: String, expires: Int64, now: Int64) throws(InvestigatorError) {
        try seen.withLock { (seen: inout [String: Int64]) throws(InvestigatorError) -> Void in
            if let expiry = seen[nonce], expiry >= now { throw .replayed }
            if seen.count >= Self.capacity { seen = seen.filter { $0.value >= now } }
            guard seen.count < Self.capacity else { throw .busy }
            seen[nonce] = expires
        }
    }
}
