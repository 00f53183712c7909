import CSodium

/// Argon2id work factors (`crypto_pwhash`, algorithm argon2id13). Production values come from
/// policy; tests use `minimumForTests`, the single place costs are lowered.
public struct Argon2Cost: Sendable, Equatable {
    public let opsLimit: Int
    public let memLimitBytes: Int

    /// Rejects values outside libsodium's Argon2id bounds, so a policy typo fails at load time
    /// rather than at the first receipt.
    public init(opsLimit: Int, memLimitBytes: Int) throws(CryptoError) {
        _ = SodiumRuntime.ready
        let opsMin = Int(crypto_pwhash_argon2id_opslimit_min())
        let opsMax = Int(clamping: UInt(crypto_pwhash_argon2id_opslimit_max()))
        let memMin = Int(crypto_pwhash_argon2id_memlimit_min())
        let memMax = Int(clamping: UInt(crypto_pwhash_argon2id_memlimit_max()))
        guard opsLimit >= opsMin, opsLimit <= opsMax else {
            throw .invalidArgon2Cost(reason: "opsLimit \(opsLimit) is outside \(opsMin)...\(opsMax)")
        }
        guard memLimitBytes >= memMin, memLimitBytes <= memMax else {
            throw .invalidArgon2Cost(
                reason: "memLimitBytes \(memLimitBytes) is outside \(memMin)...\(memMax)")
        }
        self.opsLimit = opsLimit
        self.memLimitBytes = memLimitBytes
    }

    /// libsodium's minimum Argon2id cost (1 pass, 8 KiB). Only for tests: far too cheap for receipts.
    public static let minimumForTests: Argon2Cost = {
        _ = SodiumRuntime.ready
        return try! Argon2Cost(
            opsLimit: Int(crypto_pwhash_argon2id_opslimit_min()),
            memLimitBytes: Int(crypto_pwhash_argon2id_memlimit_min()))
    }()

    /// libsodium's "interactive" preset (2 passes, 64 MiB): a sane floor for production policy.
    public static let interactive: Argon2Cost = {
        _ = SodiumRuntime.ready
        return try! Argon2Cost(
            opsLimit: Int(crypto_pwhash_argon2id_opslimit_interactive()),
            memLimitBytes: Int(crypto_pwhash_argon2id_memlimit_interactive()))
    }()

    /// libsodium's "moderate" preset (3 passes, 256 MiB), used for wrapping agency keys.
    public static let moderate: Argon2Cost = {
        _ = SodiumRuntime.ready
        return try! Argon2Cost(
            opsLimit: Int(crypto_pwhash_argon2id_opslimit_moderate()),
            memLimitBytes: Int(crypto_pwhash_argon2id_memlimit_moderate()))
    }()
}

/// Argon2id itself.
enum Argon2 {
    /// FORMAT.md §4: salts are `crypto_pwhash_SALTBYTES` (16) bytes.
    static var saltBytes: Int { crypto_pwhash_saltbytes() }

    /// Argon2id13(password, salt) → `outputLength` secret bytes.
    static func derive(
        outputLength: Int, password: UnsafeRawBufferPointer, salt: [UInt8], cost: Argon2Cost
    ) throws(CryptoError) -> SecureBytes {
        _ = SodiumRuntime.ready
        precondition(salt.count == saltBytes, "Argon2id salt must be \(saltBytes) bytes")
        let out = SecureBytes(count: outputLength)
        let hash = { (chars: UnsafePointer<CChar>, count: Int) in
            crypto_pwhash(
                out.baseAddress, UInt64(outputLength), chars, UInt64(count), salt,
                UInt64(cost.opsLimit), cost.memLimitBytes, crypto_pwhash_alg_argon2id13())
        }
        let status: Int32
        if let base = password.baseAddress, password.count > 0 {
            status = hash(base.assumingMemoryBound(to: CChar.self), password.count)
        } else {
            var empty: CChar = 0  // libsodium wants a non-null pointer even for an empty password
            status = hash(&empty, 0)
        }
        guard status == 0 else { throw .keyDerivationFailed }
        return out
    }
}

/// The per-deployment Argon2id salt for receipts. Not secret (it sits in the server's data
/// directory), but it makes a precomputed receipt table useless against another deployment.
public struct DeploymentSalt: Sendable, Equatable {
    public let bytes: [UInt8]

    public static func generate() -> DeploymentSalt {
        DeploymentSalt(unchecked: SecureBytes.random(count: Argon2.saltBytes).bytesCopy)
    }

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Argon2.saltBytes else {
            throw .invalidSaltLength(expected: Argon2.saltBytes, got: bytes.count)
        }
        self.bytes = bytes
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }
}
