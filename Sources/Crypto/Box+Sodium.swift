import CSodium

/// X25519 keypairs and sealed boxes (`crypto_box_*`). Secret halves only ever live in SecureBytes.
enum Box {
    static var publicKeyBytes: Int { crypto_box_publickeybytes() }
    static var secretKeyBytes: Int { crypto_box_secretkeybytes() }
    static var seedBytes: Int { crypto_box_seedbytes() }
    static var sealBytes: Int { crypto_box_sealbytes() }

    static func randomKeypair() -> (publicKey: [UInt8], secretKey: SecureBytes) {
        _ = SodiumRuntime.ready
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        let secretKey = SecureBytes(count: secretKeyBytes)
        let status = crypto_box_keypair(&publicKey, secretKey.baseAddress)
        precondition(status == 0, "crypto_box_keypair failed")
        return (publicKey, secretKey)
    }

    /// Deterministic keypair from a 32-byte seed (`crypto_box_seed_keypair`), as used for
    /// receipt reply keys (FORMAT.md §5) and seeded test vectors.
    static func seededKeypair(seed: SecureBytes) -> (publicKey: [UInt8], secretKey: SecureBytes) {
        precondition(seed.count == seedBytes, "box seed must be \(seedBytes) bytes")
        _ = SodiumRuntime.ready
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        let secretKey = SecureBytes(count: secretKeyBytes)
        let status = crypto_box_seed_keypair(&publicKey, secretKey.baseAddress, seed.baseAddress)
        precondition(status == 0, "crypto_box_seed_keypair failed")
        return (publicKey, secretKey)
    }

    /// The public key belonging to a secret key (X25519 base-point multiplication).
    static func publicKey(of secretKey: SecureBytes) -> [UInt8] {
        _ = SodiumRuntime.ready
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        let status = crypto_scalarmult_base(&publicKey, secretKey.baseAddress)
        precondition(status == 0, "crypto_scalarmult_base failed")
        return publicKey
    }

    static func seal(_ plaintext: some Collection<UInt8>, to publicKey: [UInt8]) -> [UInt8] {
        _ = SodiumRuntime.ready
        let message = SecureBytes(copying: plaintext)
        var out = [UInt8](repeating: 0, count: message.count + sealBytes)
        let status = crypto_box_seal(&out, message.baseAddress, UInt64(message.count), publicKey)
        precondition(status == 0, "crypto_box_seal failed")
        return out
    }

    static func open(_ ciphertext: [UInt8], publicKey: [UInt8], secretKey: SecureBytes)
        throws(CryptoError) -> SecureBytes
    {
        _ = SodiumRuntime.ready
        guard ciphertext.count >= sealBytes else { throw .sealedBoxOpenFailed }
        let out = SecureBytes(count: ciphertext.count - sealBytes)
        let status = crypto_box_seal_open(
            out.baseAddress, ciphertext, UInt64(ciphertext.count), publicKey, secretKey.baseAddress)
        guard status == 0 else { throw .sealedBoxOpenFailed }
        return out
    }
}
