import CSodium

/// Ed25519 detached signatures (`crypto_sign_*`, FORMAT.md §12): investigators' and admins'
/// identities on the investigator service. The server holds public halves only.
enum Sign {
    static var publicKeyBytes: Int { crypto_sign_publickeybytes() }
    static var secretKeyBytes: Int { crypto_sign_secretkeybytes() }
    static var seedBytes: Int { crypto_sign_seedbytes() }
    static var signatureBytes: Int { crypto_sign_bytes() }

    static func randomKeypair() -> (publicKey: [UInt8], secretKey: SecureBytes) {
        _ = SodiumRuntime.ready
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        let secretKey = SecureBytes(count: secretKeyBytes)
        let status = crypto_sign_keypair(&publicKey, secretKey.baseAddress)
        precondition(status == 0, "crypto_sign_keypair failed")
        return (publicKey, secretKey)
    }

    /// Deterministic keypair from a 32-byte seed (`crypto_sign_seed_keypair`): for unwrapping a
    /// stored seed and for the seeded vectors in FORMAT.md §12.
    static func seededKeypair(seed: SecureBytes) -> (publicKey: [UInt8], secretKey: SecureBytes) {
        precondition(seed.count == seedBytes, "sign seed must be \(seedBytes) bytes")
        _ = SodiumRuntime.ready
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        let secretKey = SecureBytes(count: secretKeyBytes)
        let status = crypto_sign_seed_keypair(&publicKey, secretKey.baseAddress, seed.baseAddress)
        precondition(status == 0, "crypto_sign_seed_keypair failed")
        return (publicKey, secretKey)
    }

    static func detached(_ message: [UInt8], secretKey: SecureBytes) -> [UInt8] {
        _ = SodiumRuntime.ready
        var signature = [UInt8](repeating: 0, count: signatureBytes)
        let status = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey.baseAddress)
        precondition(status == 0, "crypto_sign_detached failed")
        return signature
    }

    static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        _ = SodiumRuntime.ready
        guard signature.count == signatureBytes, publicKey.count == publicKeyBytes else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }

    /// The 32-byte seed inside a libsodium Ed25519 secret key, for wrapping it at rest.
    static func seed(of secretKey: SecureBytes) -> SecureBytes {
        _ = SodiumRuntime.ready
        let seed = SecureBytes(count: seedBytes)
        let status = crypto_sign_ed25519_sk_to_seed(seed.baseAddress, secretKey.baseAddress)
        precondition(status == 0, "crypto_sign_ed25519_sk_to_seed failed")
        return seed
    }
}

/// An investigator's or admin's Ed25519 public key: what the roster lists and the server
/// checks request signatures against.
public struct InvestigatorPublicKey: Sendable, Hashable {
    /// FORMAT.md §12.1: the one-line text form is this prefix followed by standard base64.
    public static let textPrefix = "tipline-investigator-pk-v1:"

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Sign.publicKeyBytes else {
            throw .invalidKeyLength(expected: Sign.publicKeyBytes, got: bytes.count)
        }
        self.bytes = bytes
    }

    /// Parses the one-line text form; surrounding whitespace and newlines are ignored.
    public init(text: some StringProtocol) throws(CryptoError) {
        let trimmed = String(text).trimmingWhitespace
        guard trimmed.hasPrefix(Self.textPrefix) else { throw .malformedKeyText }
        let encoded = String(trimmed.dropFirst(Self.textPrefix.count))
        guard encoded.utf8.count == 44, let decoded = Encoding.base64Decode(encoded, maxLength: 64),
            decoded.count == Sign.publicKeyBytes
        else { throw .malformedKeyText }
        self.bytes = decoded
    }

    public var text: String { Self.textPrefix + Encoding.base64(bytes) }

    /// 16 lowercase hex digits (BLAKE2b-64 of the key), as for agency keys (FORMAT.md §2.2).
    public var fingerprint: String { Encoding.hex(Encoding.blake2b(bytes, outputLength: 8)) }

    /// True when `signature` is this key's Ed25519 signature of exactly `message`.
    public func verifies(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        Sign.verify(signature, of: message, publicKey: bytes)
    }
}

/// An investigator's or admin's Ed25519 secret key. Only their own machine holds it (wrapped
/// under their passphrase at rest); never the server. Not `Codable`, no description.
///
/// `@unchecked Sendable`: both stored properties are immutable after init.
public final class InvestigatorSigningKey: @unchecked Sendable {
    let secretBytes: SecureBytes
    public let publicKey: InvestigatorPublicKey

    init(secretBytes: SecureBytes, publicKey: [UInt8]) {
        self.secretBytes = secretBytes
        // The public half comes from libsodium with the right length.
        self.publicKey = try! InvestigatorPublicKey(bytes: publicKey)
    }

    /// A fresh keypair from the system CSPRNG (`crypto_sign_keypair`).
    public static func generate() -> InvestigatorSigningKey {
        let pair = Sign.randomKeypair()
        return InvestigatorSigningKey(secretBytes: pair.secretKey, publicKey: pair.publicKey)
    }

    /// Rebuilds the key from its 32-byte seed (after unwrapping, or a seeded test vector).
    public convenience init(seed: SecureBytes) throws(CryptoError) {
        guard seed.count == Sign.seedBytes else { throw .invalidKeyLength(expected: Sign.seedBytes, got: seed.count) }
        let pair = Sign.seededKeypair(seed: seed)
        self.init(secretBytes: pair.secretKey, publicKey: pair.publicKey)
    }

    /// The 32-byte seed, for wrapping under a passphrase; the caller keeps it in SecureBytes.
    public var seed: SecureBytes { Sign.seed(of: secretBytes) }

    /// The 64-byte detached Ed25519 signature of `message` (deterministic, RFC 8032).
    public func sign(_ message: [UInt8]) -> [UInt8] { Sign.detached(message, secretKey: secretBytes) }
}
