/// The agency's X25519 public key: the only key the intake server holds. Tips are sealed to it.
public struct AgencyPublicKey: Sendable, Hashable {
    /// FORMAT.md §2.1: the one-line text form is this prefix followed by standard base64.
    public static let textPrefix = "tipline-agency-pk-v1:"
    /// FORMAT.md §2.2: the key id hint / fingerprint is BLAKE2b with this many output bytes.
    static let keyIDHintLength = 8

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Box.publicKeyBytes else {
            throw .invalidKeyLength(expected: Box.publicKeyBytes, got: bytes.count)
        }
        self.bytes = bytes
    }

    /// Parses the `agency.pub` line; surrounding whitespace and newlines are ignored.
    public init(text: String) throws(CryptoError) {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasPrefix(Self.textPrefix) else { throw .malformedKeyText }
        let encoded = String(trimmed.dropFirst(Self.textPrefix.count))
        guard let decoded = Encoding.base64Decode(encoded, maxLength: 64),
            decoded.count == Box.publicKeyBytes
        else { throw .malformedKeyText }
        self.bytes = decoded
    }

    public var text: String { Self.textPrefix + Encoding.base64(bytes) }

    /// 16 lowercase hex digits (BLAKE2b-64 of the key) for people comparing keys by eye.
    public var fingerprint: String { Encoding.hex(keyIDHint) }

    /// The 8 bytes placed before each sealed file key in an envelope header (FORMAT.md §6).
    var keyIDHint: [UInt8] { Encoding.blake2b(bytes, outputLength: Self.keyIDHintLength) }
}

/// The agency's secret key. Only investigators' machines hold it, wrapped by a passphrase
/// (`PassphraseWrap`) at rest. Deliberately not `Codable` and without a description.
///
/// `@unchecked Sendable`: both stored properties are immutable after init; SecureBytes is
/// never written after the keypair is created.
public final class AgencySecretKey: @unchecked Sendable {
    let secretBytes: SecureBytes
    public let publicKey: AgencyPublicKey

    init(secretBytes: SecureBytes, publicKey: [UInt8]) {
        self.secretBytes = secretBytes
        // The public half comes from libsodium with the right length.
        self.publicKey = try! AgencyPublicKey(bytes: publicKey)
    }

    /// A fresh keypair from the system CSPRNG (`crypto_box_keypair`), for `tipvault init`.
    public static func generate() -> AgencySecretKey {
        let pair = Box.randomKeypair()
        return AgencySecretKey(secretBytes: pair.secretKey, publicKey: pair.publicKey)
    }

    /// Rebuilds a key from its 32 secret bytes (e.g. after unwrapping); the public half is recomputed.
    convenience init(secretBytes: SecureBytes) throws(CryptoError) {
        guard secretBytes.count == Box.secretKeyBytes else {
            throw .invalidKeyLength(expected: Box.secretKeyBytes, got: secretBytes.count)
        }
        self.init(secretBytes: secretBytes, publicKey: Box.publicKey(of: secretBytes))
    }
}

extension String {
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return self[first...last]
    }
}
