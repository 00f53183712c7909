import ArgumentParser
import Foundation
import TiplineVault

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the agency keypair, agency.pub and your keyring.")

    @OptionGroup var location: VaultLocation
    @Option(name: .long, help: ArgumentHelp("Keyring directory to create (keep it off the server).", valueName: "DIR"))
    var keyring: String
    @Option(name: .long, help: ArgumentHelp("Your name in the keyring.", valueName: "NAME"))
    var investigator = "lead"
    @Option(name: .long, help: ArgumentHelp("Read the new passphrase from FILE (else TIPVAULT_PASSPHRASE, else a prompt).", valueName: "FILE"))
    var passphraseFile: String?

    func run() throws {
        try Console.run { () throws(VaultError) in
            let ring = Keyring(directory: URL(fileURLWithPath: keyring, isDirectory: true))
            let passphrase = try Passphrase.read(
                file: passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "New passphrase for \(investigator): ", confirm: true)
            let key = try ring.initialise(
                vaultDirectory: location.url, policy: try location.loadPolicy().vault, investigator: investigator,
                passphrase: passphrase, cost: KeyringCost.current)
            Console.out("created agency key \(key.fingerprint)")
            Console.out("public key: \(location.url.appendingPathComponent(Vault.agencyKeyFileName).path) (give this file to the intake server)")
            Console.out("keyring: \(ring.directory.path) (investigator \(investigator); keep it off the server)")
            if let signing = try ring.signingPublicKey(investigator: investigator) {
                Console.out("signing key: \(signing.text) (for the investigator service roster)")
            }
        }
    }
}

struct RotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Start a new agency key; old tips stay readable with the old ones.")

    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws {
        try Console.run { () throws(VaultError) in
            let ring = access.ring
            let name = try ring.resolveInvestigator(access.investigator ?? ProcessInfo.processInfo.environment["TIPVAULT_INVESTIGATOR"])
            let passphrase = try Passphrase.read(file: access.passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "Passphrase for \(name): ")
            let key = try ring.rotate(vaultDirectory: location.url, investigator: name, passphrase: passphrase, cost: KeyringCost.current)
            Console.out("new agency key \(key.fingerprint) appended to agency.pub; copy it to the server")
            Console.out("other investigators need `tipvault investigator add NAME` from you to read new tips")
        }
    }
}

struct InvestigatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "investigator", abstract: "Manage who holds the agency keys.",
        subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Wrap your agency keys for another investigator under their own passphrase.")

        @Argument(help: "The new investigator's name (letters, digits, '.', '_', '-').") var name: String
        @OptionGroup var access: KeyAccess
        @Option(
            name: .long,
            help: ArgumentHelp("Read the new investigator's passphrase from FILE (else TIPVAULT_NEW_PASSPHRASE, else a prompt).", valueName: "FILE"))
        var newPassphraseFile: String?

        func run() throws {
            try Console.run { () throws(VaultError) in
                let ring = access.ring
                let me = try ring.resolveInvestigator(access.investigator ?? ProcessInfo.processInfo.environment["TIPVAULT_INVESTIGATOR"])
                let passphrase = try Passphrase.read(
                    file: access.passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "Passphrase for \(me): ")
                let theirs = try Passphrase.read(
                    file: newPassphraseFile, environment: "TIPVAULT_NEW_PASSPHRASE", prompt: "New passphrase for \(name): ", confirm: true)
                let added = try ring.addInvestigator(
                    name, newPassphrase: theirs, unlockingAs: me, passphrase: passphrase, cost: KeyringCost.current)
                Console.out("investigator \(name) now holds \(added) agency key\(added == 1 ? "" : "s")")
                if let signing = try ring.signingPublicKey(investigator: name) {
                    Console.out("signing key of \(name): \(signing.text) (for the investigator service roster)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List investigators and the key generations they hold.")
        @Option(name: .long, help: ArgumentHelp("The keyring directory.", valueName: "DIR")) var keyring: String

        func run() throws {
            try Console.run { () throws(VaultError) in
                let entries = try Keyring(directory: URL(fileURLWithPath: keyring, isDirectory: true)).entries()
                Console.table(
                    ["INVESTIGATOR", "GENERATION", "AGENCY KEY"],
                    entries.map { [$0.investigator, String($0.generation), $0.publicKey.fingerprint] })
            }
        }
    }
}

/// Prints the investigator's signing public key for the admin's roster, creating the key first
/// for a keyring made before the investigator service existed.
struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami", abstract: "Print your investigator-service signing key (created on first use) for the roster.")

    @OptionGroup var access: KeyAccess

    func run() throws {
        try Console.run { () throws(VaultError) in
            let ring = access.ring
            let name = try ring.resolveInvestigator(access.investigator ?? ProcessInfo.processInfo.environment["TIPVAULT_INVESTIGATOR"])
            var key = try ring.signingPublicKey(investigator: name)
            if key == nil {
                let passphrase = try Passphrase.read(
                    file: access.passphraseFile, environment: "TIPVAULT_PASSPHRASE", prompt: "Passphrase for \(name): ")
                key = try ring.ensureSigningKey(investigator: name, passphrase: passphrase, cost: KeyringCost.current).key
                Console.note("created a signing key for \(name) (keyring upgraded for the investigator service)")
            }
            Console.out("investigator: \(name)")
            Console.out("signing-key: \(key!.text)")
            Console.out("fingerprint: \(key!.fingerprint)")
        }
    }
}
