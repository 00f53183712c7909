/// THE test-only hook (STYLE: "fixed nonces behind a clearly named test-only hook").
///
/// Everything random in TiplineCrypto normally comes from libsodium's CSPRNG. The test-vector
/// generator needs byte-identical output, so this one internal namespace (reachable only via
/// `@testable import`) exposes the few places where that randomness can be supplied instead.
/// Production code never calls it; nothing here is public.
enum TestOnlyDeterminism {
    /// An agency keypair from a 32-byte seed (`crypto_box_seed_keypair`).
    static func agencyKey(seed: [UInt8]) -> AgencySecretKey {
        let pair = Box.seededKeypair(seed: SecureBytes(copying: seed))
        return AgencySecretKey(secretBytes: pair.secretKey, publicKey: pair.publicKey)
    }

    /// A reply keypair from a 32-byte seed, as ReceiptKeys derives it.
    static func replyKey(seed: [UInt8]) -> ReplySecretKey {
        ReplySecretKey(seed: SecureBytes(copying: seed))
    }

    /// A receipt from its 15 entropy bytes.
    static func receipt(entropy: [UInt8]) -> Receipt {
        Receipt(entropy: SecureBytes(copying: entropy))
    }

    /// The receipt's entropy bytes (to write vectors).
    static func entropy(of receipt: Receipt) -> [UInt8] { receipt.entropy.bytesCopy }

    /// An envelope writer with a fixed 32-byte file key (sealing stays randomized).
    static func envelopeWriter(recipients: [AgencyPublicKey], fileKey: [UInt8]) throws(CryptoError) -> EnvelopeWriter {
        try EnvelopeWriter(recipients: recipients, fileKey: SecureBytes(copying: fileKey))
    }

    /// A part encryptor whose 24-byte secretstream header is fixed.
    static func encryptor(_ writer: EnvelopeWriter, part: EnvelopePart, header: [UInt8]) -> StreamEncryptor {
        writer.encryptor(for: part, testOnlyFixedHeader: header)
    }

    /// A stream encryptor under an explicit key and header.
    static func encryptor(key: [UInt8], header: [UInt8]) -> StreamEncryptor {
        StreamEncryptor(key: SecureBytes(copying: key), testOnlyFixedHeader: header)
    }

    /// The subkey a part's stream uses, for KDF vectors.
    static func partKey(fileKey: [UInt8], part: EnvelopePart) -> [UInt8] {
        EnvelopeFormat.partKey(fileKey: SecureBytes(copying: fileKey), part: part).bytesCopy
    }

    /// A passphrase-wrapped blob with fixed salt and nonce.
    static func wrap(_ key: AgencySecretKey, passphrase: [UInt8], cost: Argon2Cost, salt: [UInt8], nonce: [UInt8])
        throws(CryptoError) -> [UInt8]
    {
        try PassphraseWrap.wrap(key, passphrase: SecureBytes(copying: passphrase), cost: cost, salt: salt, nonce: nonce)
    }

    /// The agency secret key's bytes (to compare unwrapped keys in tests).
    static func secretBytes(of key: AgencySecretKey) -> SecureBytes { key.secretBytes }
}
