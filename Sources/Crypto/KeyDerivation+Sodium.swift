import CSodium

/// `crypto_kdf` (BLAKE2b-based) subkey derivation with the 8-byte contexts of FORMAT.md §3.
enum KeyDerivation {
    /// FORMAT.md §3: envelope part stream keys; subkey id 0 = document, i + 1 = attachment i.
    static let partContext = "TLPARTv1"
    /// FORMAT.md §3: receipt lookup id, subkey id 1.
    static let receiptLookupContext = "TLRCPTv1"
    static let receiptLookupSubkeyID: UInt64 = 1
    /// FORMAT.md §3: receipt reply-keypair seed, subkey id 2 (same context as the lookup id).
    static let receiptReplySeedSubkeyID: UInt64 = 2

    static var masterKeyBytes: Int { crypto_kdf_keybytes() }

    static func derive(length: Int, subkeyID: UInt64, context: String, from key: SecureBytes)
        -> SecureBytes
    {
        _ = SodiumRuntime.ready
        precondition(context.utf8.count == Int(crypto_kdf_contextbytes()), "KDF context must be 8 bytes")
        precondition(key.count == masterKeyBytes, "KDF master key must be \(masterKeyBytes) bytes")
        let out = SecureBytes(count: length)
        let status = crypto_kdf_derive_from_key(out.baseAddress, length, subkeyID, context, key.baseAddress)
        precondition(status == 0, "crypto_kdf_derive_from_key rejected a fixed, valid length")
        return out
    }
}
