/// The signature on every request to the investigator service (FORMAT.md §14). It covers the
/// version, method, path with query, a BLAKE2b-256 digest of the body, a timestamp and a
/// random nonce, so the server can refuse altered, stale and replayed requests.
public struct RequestSignature: Sendable, Equatable {
    /// FORMAT.md §14.1: the first line of the signed string.
    public static let versionLine = "tipline-request-v1"
    public static let keyHeader = "Tipline-Key"
    public static let timestampHeader = "Tipline-Timestamp"
    public static let nonceHeader = "Tipline-Nonce"
    public static let signatureHeader = "Tipline-Signature"
    /// Random bytes per request, sent as 32 lowercase hex digits.
    public static let nonceBytes = 16
    static let bodyDigestBytes = 32

    public let key: InvestigatorPublicKey
    /// Unix seconds (UTC) at signing.
    public let timestamp: Int64
    /// 32 lowercase hex digits.
    public let nonce: String
    public let signature: [UInt8]

    /// The exact bytes signed: six lines joined by LF, no final newline.
    public static func message(method: String, target: String, body: some Collection<UInt8>, timestamp: Int64, nonce: String) -> [UInt8] {
        let digest = Encoding.hex(Encoding.blake2b(Array(body), outputLength: bodyDigestBytes))
        return Array([versionLine, method, target, digest, String(timestamp), nonce].joined(separator: "\n").utf8)
    }

    /// Signs a request with a fresh nonce (or a given one, for vectors).
    public static func sign(
        method: String, target: String, body: some Collection<UInt8>, key: InvestigatorSigningKey, timestamp: Int64,
        nonce: String? = nil
    ) -> RequestSignature {
        let nonce = nonce ?? Encoding.hex(SecureBytes.random(count: nonceBytes).bytesCopy)
        let message = message(method: method, target: target, body: body, timestamp: timestamp, nonce: nonce)
        return RequestSignature(key: key.publicKey, timestamp: timestamp, nonce: nonce, signature: key.sign(message))
    }

    init(key: InvestigatorPublicKey, timestamp: Int64, nonce: String, signature: [UInt8]) {
        self.key = key
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }

    /// Parses the four header values; nil values mean the header was absent.
    public init(key: String, timestamp: String, nonce: String, signature: String) throws(SignedFormatError) {
        guard let parsedKey = try? InvestigatorPublicKey(text: key) else { throw .malformedRequestSignature(reason: "key") }
        guard !timestamp.isEmpty, timestamp.utf8.count <= 12, timestamp.utf8.allSatisfy({ (48...57).contains($0) }),
            let seconds = Int64(timestamp), String(seconds) == timestamp
        else { throw .malformedRequestSignature(reason: "timestamp") }
        let hexDigits = Set("0123456789abcdef".utf8)
        guard nonce.utf8.count == Self.nonceBytes * 2, nonce.utf8.allSatisfy(hexDigits.contains) else {
            throw .malformedRequestSignature(reason: "nonce")
        }
        guard signature.utf8.count == 88, let bytes = Encoding.base64Decode(signature, maxLength: 96), bytes.count == Sign.signatureBytes
        else { throw .malformedRequestSignature(reason: "signature") }
        self.init(key: parsedKey, timestamp: seconds, nonce: nonce, signature: bytes)
    }

    /// The header values, in the order of the `*Header` names.
    public var headers: [(name: String, value: String)] {
        [
            (Self.keyHeader, key.text), (Self.timestampHeader, String(timestamp)), (Self.nonceHeader, nonce),
            (Self.signatureHeader, Encoding.base64(signature)),
        ]
    }

    /// True when the signature covers exactly this method, target and body.
    public func verifies(method: String, target: String, body: some Collection<UInt8>) -> Bool {
        key.verifies(signature, of: Self.message(method: method, target: target, body: body, timestamp: timestamp, nonce: nonce))
    }
}

/// Content-derived ids for opaque records (FORMAT.md §14.3): the server names a stored sealed
/// event or notice by the BLAKE2b-128 of its bytes, so a retried POST of the same bytes is
/// recognised without the server storing any extra column.
public enum RecordDigest {
    public static func id(of sealed: some Collection<UInt8>) -> String {
        Encoding.hex(Encoding.blake2b(Array(sealed), outputLength: 16))
    }
}
