import Foundation
import TiplineCrypto
import TiplinePolicy

/// The three key ceremonies: `init` (first agency key), `rotate` (a new key; old tips stay
/// readable with the old ones) and `investigator add` (the same keys under another passphrase).
/// `init` and `investigator add` also create the investigator's signing key (Keyring+Signing).
extension Keyring {
    /// Creates the first agency keypair, writes `agency.pub` in `vaultDirectory` (and the vault
    /// database), and stores the secret key wrapped for `investigator`. Returns the public key.
    public func initialise(
        vaultDirectory: URL, policy: VaultPolicy, investigator: String, passphrase: SecureBytes, cost: Argon2Cost
    ) throws(VaultError) -> AgencyPublicKey {
        try Self.validate(name: investigator)
        let file = AgencyKeyFile(directory: vaultDirectory)
        guard !file.exists else { throw .vaultAlreadyInitialised(path: file.url.path) }
        if let existing = try? entries(), !existing.isEmpty { throw .vaultAlreadyInitialised(path: directory.path) }
        _ = try Vault(directory: vaultDirectory, policy: policy)
        let key = AgencySecretKey.generate()
        try store(key, generation: 1, investigator: investigator, passphrase: passphrase, cost: cost)
        _ = try createSigningKey(investigator: investigator, passphrase: passphrase, cost: cost)
        try file.append(key.publicKey)
        return key.publicKey
    }

    /// Makes a new agency key (generation n + 1), wraps it for `investigator`, and appends its
    /// public key to `agency.pub`, so the server seals new tips to it. The investigator must
    /// unlock first: the old keys stay in the keyring and keep old tips readable. Colleagues
    /// receive the new key with `investigator add`.
    public func rotate(
        vaultDirectory: URL, investigator: String, passphrase: SecureBytes, cost: Argon2Cost
    ) throws(VaultError) -> AgencyPublicKey {
        let held = try unlock(investigator: investigator, passphrase: passphrase)
        let file = AgencyKeyFile(directory: vaultDirectory)
        // Only a holder of the vault's current key may rotate it; otherwise a stranger's keyring
        // would append a key the agency cannot open, and the server would seal new tips to it.
        guard let current = try file.read().last else { throw .agencyKeyFileMissing(path: file.url.path) }
        guard held.contains(where: { $0.publicKey == current }) else { throw .currentKeyNotHeld(fingerprint: current.fingerprint) }
        let generation = (try entries().map(\.generation).max() ?? 0) + 1
        let key = AgencySecretKey.generate()
        try store(key, generation: generation, investigator: investigator, passphrase: passphrase, cost: cost)
        try file.append(key.publicKey)
        return key.publicKey
    }

    /// Wraps every key `investigator` holds for `newInvestigator` under their own passphrase.
    /// Generations the newcomer already holds are skipped; returns how many were added.
    public func addInvestigator(
        _ newInvestigator: String, newPassphrase: SecureBytes,
        unlockingAs investigator: String, passphrase: SecureBytes, cost: Argon2Cost
    ) throws(VaultError) -> Int {
        try Self.validate(name: newInvestigator)
        let keys = try unlock(investigator: investigator, passphrase: passphrase)
        let all = try entries()
        let generations = Dictionary(
            all.filter { $0.investigator == investigator }.map { ($0.publicKey, $0.generation) },
            uniquingKeysWith: { a, _ in a })
        let held = Set(all.filter { $0.investigator == newInvestigator }.map(\.publicKey))
        var added = 0
        for key in keys where !held.contains(key.publicKey) {
            try store(
                key, generation: generations[key.publicKey] ?? 1, investigator: newInvestigator,
                passphrase: newPassphrase, cost: cost)
            added += 1
        }
        guard added > 0 else { throw .investigatorExists(name: newInvestigator) }
        if try signingPublicKey(investigator: newInvestigator) == nil {
            _ = try createSigningKey(investigator: newInvestigator, passphrase: newPassphrase, cost: cost)
        }
        return added
    }
}
