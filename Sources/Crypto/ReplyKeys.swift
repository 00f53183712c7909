/// A tipster's reply public key, derived from their receipt; stored inside the sealed tip so the
/// agency can seal replies that only the receipt holder can open.
public struct ReplyPublicKey: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Box.publicKeyBytes else {
            throw .invalidKeyLength(expected: Box.publicKeyBytes, got: bytes.count)
        }
        self.bytes = bytes
    }
}

/// The tipster's reply secret key. Never stored: recomputed from the receipt in memory
/// (`ReceiptKeys.derive`) and released as soon as the follow-up request is answered.
///
/// `@unchecked Sendable`: immutable after init; the SecureBytes is never written again.
public final class ReplySecretKey: @unchecked Sendable {
    let secretBytes: SecureBytes
    public let publicKey: ReplyPublicKey

    /// Deterministic keypair from a 32-byte seed (`crypto_box_seed_keypair`), FORMAT.md §5.
    init(seed: SecureBytes) {
        let pair = Box.seededKeypair(seed: seed)
        secretBytes = pair.secretKey
        publicKey = try! ReplyPublicKey(bytes: pair.publicKey)
    }
}
