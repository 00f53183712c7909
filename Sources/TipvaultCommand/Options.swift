import ArgumentParser
import Foundation
import TiplineCrypto
import TiplinePolicy
import TiplineVault

/// `--vault` and `--policy`: enough to open the database.
struct VaultLocation: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The vault directory (vault.sqlite, agency.pub).", valueName: "DIR"))
    var vault: String

    @Option(name: .long, help: ArgumentHelp("Policy file (date granularity, retention); defaults apply without it.", valueName: "FILE"))
    var policy: String?

    var url: URL { URL(fileURLWithPath: vault, isDirectory: true) }

    func loadPolicy() throws(VaultError) -> Policy {
        guard let policy else { return .default }
        do { return try PolicyLoader.load(path: policy) } catch {
            throw .fileIO(path: policy, reason: error.description)
        }
    }

    func open() throws(VaultError) -> Vault {
        try Vault(directory: url, policy: try loadPolicy().vault, createIfMissing: false)
    }

    /// For commands that only read: the files are not changed, and a read-only copy opens.
    func openReadOnly() throws(VaultError) -> Vault {
        try Vault(readingFrom: url, policy: try loadPolicy().vault)
    }
}

/// `--keyring`, `--investigator`, `--passphrase-file`: enough to unlock the agency keys.
struct KeyAccess: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The keyring directory (never on the server).", valueName: "DIR"))
    var keyring: String

    @Option(name: .long, help: ArgumentHelp("Your name in the keyring (or TIPVAULT_INVESTIGATOR); needed when it holds several.", valueName: "NAME"))
    var investigator: String?

    @Option(name: .long, help: ArgumentHelp("Read your passphrase from FILE (else TIPVAULT_PASSPHRASE, else a prompt).", valueName: "FILE"))
    var passphraseFile: String?

    var ring: Keyring { Keyring(directory: URL(fileURLWithPath: keyring, isDirectory: true)) }

    /// Who is unlocking and their keys, newest first.
    func unlock() throws(VaultError) -> (name: String, keys: [AgencySecretKey]) {
        let name = try ring.resolveInvestigator(investigator ?? ProcessInfo.processInfo.environment["TIPVAULT_INVESTIGATOR"])
        let passphrase = try Passphrase.read(file: passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "Passphrase for \(name): ")
        return (name, try ring.unlock(investigator: name, passphrase: passphrase))
    }

    func investigation(_ location: VaultLocation, readOnly: Bool = false) throws(VaultError) -> Investigation {
        try unlockedInvestigation(location, readOnly: readOnly).investigation
    }

    /// A signed client of the investigator service in the keyring's `remote.conf`, as the
    /// investigator running the command (one passphrase prompt, for their signing key).
    func serviceClient() throws(VaultError) -> ServiceClient {
        let name = try ring.resolveInvestigator(investigator ?? ProcessInfo.processInfo.environment["TIPVAULT_INVESTIGATOR"])
        let remote = try ring.remote()
        guard try ring.signingPublicKey(investigator: name) != nil else { throw .signingKeyMissing(investigator: name) }
        let passphrase = try Passphrase.read(file: passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "Passphrase for \(name): ")
        return ServiceClient(remote: remote, key: try ring.signingKey(investigator: name, passphrase: passphrase))
    }

    /// The investigation and the passphrase that unlocked it, for writes that also need the
    /// signing key (one prompt, not two).
    func unlockedInvestigation(_ location: VaultLocation, readOnly: Bool = false) throws(VaultError) -> (
        investigation: Investigation, passphrase: SecureBytes
    ) {
        let vault = try readOnly ? location.openReadOnly() : location.open()
        let name = try ring.resolveInvestigator(investigator ?? ProcessInfo.processInfo.environment["TIPVAULT_INVESTIGATOR"])
        let passphrase = try Passphrase.read(file: passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "Passphrase for \(name): ")
        return (Investigation(vault: vault, keys: try ring.unlock(investigator: name, passphrase: passphrase), investigator: name), passphrase)
    }
}
