import CSodium

/// Wraps an agency secret key under a passphrase for the keyring (FORMAT.md §9):
/// Argon2id(passphrase, random salt) → 32-byte key → `crypto_secretbox_easy(secret key)`.
/// The blob carries its own cost, so policy can raise costs without breaking old blobs.
public enum PassphraseWrap {
    /// FORMAT.md §9: blobs start with ASCII "TLKEY".
    static let magic: [UInt8] = Array("TLKEY".utf8)
    /// FORMAT.md §9: the only blob version this build reads and writes.
    static let version: UInt8 = 1
    /// FORMAT.md §9: the largest cost a blob may carry. A tampered blob must not be able to
    /// make `unwrap` run for hours or allocate the machine's memory; `wrap` refuses more too.
    static let maxOpsLimit = 32
    static let maxMemLimitBytes = 4 << 30
    static var nonceBytes: Int { crypto_secretbox_noncebytes() }
    static var macBytes: Int { crypto_secretbox_macbytes() }
    /// magic, version, opsLimit (u32 BE), memLimit (u64 BE), salt, nonce, sealed secret key.
    static var blobBytes: Int {
        magic.count + 1 + 4 + 8 + Argon2.saltBytes + nonceBytes + Box.secretKeyBytes + macBytes
    }

    public static func wrap(_ key: AgencySecretKey, passphrase: SecureBytes, cost: Argon2Cost)
        throws(CryptoError) -> [UInt8]
    {
        try wrap(
            key, passphrase: passphrase, cost: cost,
            salt: SecureBytes.random(count: Argon2.saltBytes).bytesCopy,
            nonce: SecureBytes.random(count: nonceBytes).bytesCopy)
    }

    /// Also reached by the test-only hook with a fixed salt and nonce (TestOnlyDeterminism.swift).
    static func wrap(_ key: AgencySecretKey, passphrase: SecureBytes, cost: Argon2Cost, salt: [UInt8], nonce: [UInt8])
        throws(CryptoError) -> [UInt8]
    {
        try wrap(secret: key.secretBytes, passphrase: passphrase, cost: cost, salt: salt, nonce: nonce)
    }

    /// Wraps an investigator's Ed25519 signing key (its 32-byte seed) the same way (FORMAT.md
    /// §9, §12): one format and one cost for every secret a keyring holds.
    public static func wrap(signingKey key: InvestigatorSigningKey, passphrase: SecureBytes, cost: Argon2Cost)
        throws(CryptoError) -> [UInt8]
    {
        try wrap(
            secret: key.seed, passphrase: passphrase, cost: cost,
            salt: SecureBytes.random(count: Argon2.saltBytes).bytesCopy,
            nonce: SecureBytes.random(count: nonceBytes).bytesCopy)
    }

    /// The signing key a `wrap(signingKey:…)` blob holds.
    public static func unwrapSigningKey(_ blob: [UInt8], passphrase: SecureBytes) throws(CryptoError) -> InvestigatorSigningKey {
        try InvestigatorSigningKey(seed: try unwrapSecret(blob, passphrase: passphrase))
    }

    /// A 32-byte secret (agency secret key or signing seed) sealed under the passphrase.
    static func wrap(secret: SecureBytes, passphrase: SecureBytes, cost: Argon2Cost, salt: [UInt8], nonce: [UInt8])
        throws(CryptoError) -> [UInt8]
    {
        precondition(secret.count == Box.secretKeyBytes, "wrapped secrets are \(Box.secretKeyBytes) bytes")
        _ = SodiumRuntime.ready
        guard cost.opsLimit <= maxOpsLimit, cost.memLimitBytes <= maxMemLimitBytes else {
            throw .invalidArgon2Cost(
                reason: "wrapped keys accept at most opsLimit \(maxOpsLimit) and memLimitBytes \(maxMemLimitBytes)")
        }
        let wrappingKey = try passphrase.withUnsafeBytes { (password) throws(CryptoError) in
            try Argon2.derive(outputLength: Int(crypto_secretbox_keybytes()), password: password, salt: salt, cost: cost)
        }
        var blob = magic + [version]
        blob.reserveCapacity(blobBytes)
        blob += withUnsafeBytes(of: UInt32(cost.opsLimit).bigEndian) { Array($0) }
        blob += withUnsafeBytes(of: UInt64(cost.memLimitBytes).bigEndian) { Array($0) }
        blob += salt
        blob += nonce
        var sealed = [UInt8](repeating: 0, count: Box.secretKeyBytes + macBytes)
        let status = crypto_secretbox_easy(
            &sealed, secret.baseAddress, UInt64(Box.secretKeyBytes), nonce, wrappingKey.baseAddress)
        precondition(status == 0, "crypto_secretbox_easy failed")
        return blob + sealed
    }

    /// `wrongPassphrase` if the passphrase (or the sealed bytes) do not authenticate;
    /// `malformedWrappedKey` for anything that is not a v1 blob.
    public static func unwrap(_ blob: [UInt8], passphrase: SecureBytes) throws(CryptoError) -> AgencySecretKey {
        try AgencySecretKey(secretBytes: try unwrapSecret(blob, passphrase: passphrase))
    }

    static func unwrapSecret(_ blob: [UInt8], passphrase: SecureBytes) throws(CryptoError) -> SecureBytes {
        _ = SodiumRuntime.ready
        guard blob.count == blobBytes, Array(blob[0..<magic.count]) == magic, blob[magic.count] == version else {
            throw .malformedWrappedKey
        }
        var offset = magic.count + 1
        let ops = blob[offset..<offset + 4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        offset += 4
        let mem = blob[offset..<offset + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        offset += 8
        guard ops <= UInt64(maxOpsLimit), mem <= UInt64(maxMemLimitBytes), let cost = try? Argon2Cost(opsLimit: Int(ops), memLimitBytes: Int(mem))
        else {
            throw .malformedWrappedKey
        }
        let salt = Array(blob[offset..<offset + Argon2.saltBytes])
        offset += Argon2.saltBytes
        let nonce = Array(blob[offset..<offset + nonceBytes])
        offset += nonceBytes
        let sealed = Array(blob[offset...])
        let wrappingKey = try passphrase.withUnsafeBytes { (password) throws(CryptoError) in
            try Argon2.derive(outputLength: Int(crypto_secretbox_keybytes()), password: password, salt: salt, cost: cost)
        }
        let secret = SecureBytes(count: Box.secretKeyBytes)
        let status = crypto_secretbox_open_easy(
            secret.baseAddress, sealed, UInt64(sealed.count), nonce, wrappingKey.baseAddress)
        guard status == 0 else { throw .wrongPassphrase }
        return secret
    }
}
