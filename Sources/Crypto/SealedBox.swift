/// Sealed boxes (`crypto_box_seal`): anonymous sender, one recipient. To reach several
/// recipients, seal once per recipient.
public enum SealedBox {
    /// Ciphertext is 48 bytes longer than the plaintext (ephemeral public key + MAC).
    public static var overhead: Int { Box.sealBytes }

    public static func seal(_ plaintext: some Collection<UInt8>, to recipient: AgencyPublicKey) -> [UInt8] {
        Box.seal(plaintext, to: recipient.bytes)
    }

    public static func seal(_ plaintext: some Collection<UInt8>, to recipient: ReplyPublicKey) -> [UInt8] {
        Box.seal(plaintext, to: recipient.bytes)
    }

    public static func open(_ ciphertext: [UInt8], with key: AgencySecretKey) throws(CryptoError) -> SecureBytes {
        try Box.open(ciphertext, publicKey: key.publicKey.bytes, secretKey: key.secretBytes)
    }

    public static func open(_ ciphertext: [UInt8], with key: ReplySecretKey) throws(CryptoError) -> SecureBytes {
        try Box.open(ciphertext, publicKey: key.publicKey.bytes, secretKey: key.secretBytes)
    }
}
