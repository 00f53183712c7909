/// What a receipt unlocks, recomputed in memory on every follow-up (FORMAT.md §5):
/// Argon2id(receipt entropy, deployment salt) → 32-byte seed → `crypto_kdf` subkeys.
public struct ReceiptKeys: Sendable {
    /// FORMAT.md §5: the Argon2id output (the KDF master key) is 32 bytes.
    static let seedBytes = 32
    /// FORMAT.md §5: the lookup id is 32 bytes.
    static let lookupIDBytes = 32

    /// The only receipt-derived value the vault stores; it finds the tip's thread.
    public let lookupID: [UInt8]
    /// Opens replies sealed to the tipster. Memory only.
    public let replySecretKey: ReplySecretKey
    public var replyPublicKey: ReplyPublicKey { replySecretKey.publicKey }

    /// Costs `cost` of Argon2id time and memory: the brake on online receipt guessing.
    public static func derive(from receipt: Receipt, salt: DeploymentSalt, cost: Argon2Cost)
        throws(CryptoError) -> ReceiptKeys
    {
        let seed = try receipt.entropy.withUnsafeBytes { (password) throws(CryptoError) in
            try Argon2.derive(outputLength: seedBytes, password: password, salt: salt.bytes, cost: cost)
        }
        let lookup = KeyDerivation.derive(
            length: lookupIDBytes, subkeyID: KeyDerivation.receiptLookupSubkeyID,
            context: KeyDerivation.receiptLookupContext, from: seed)
        let replySeed = KeyDerivation.derive(
            length: Box.seedBytes, subkeyID: KeyDerivation.receiptReplySeedSubkeyID,
            context: KeyDerivation.receiptLookupContext, from: seed)
        return ReceiptKeys(lookupID: lookup.bytesCopy, replySecretKey: ReplySecretKey(seed: replySeed))
    }
}
