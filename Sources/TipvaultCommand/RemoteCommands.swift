import ArgumentParser
import Foundation
import TiplineVault

/// `tipvault remote add|show`: where the investigator service is reached (Keyring+Remote).
struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote", abstract: "Set or show the investigator service address (loopback; a local proxy goes further).",
        subcommands: [Add.self, Show.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Store the investigator service URL in the keyring folder (remote.conf, 0600).")

        @Argument(help: "http://127.0.0.1:PORT, or the loopback port of your TLS or onion proxy.") var url: String
        @Option(name: .long, help: ArgumentHelp("The keyring directory.", valueName: "DIR")) var keyring: String

        func run() throws {
            try Console.run { () throws(VaultError) in
                let ring = Keyring(directory: URL(fileURLWithPath: keyring, isDirectory: true))
                let remote = try RemoteConfig(url: url)
                if let previous = try ring.setRemote(remote), previous != remote {
                    Console.note("replaced the earlier remote \(previous.url)")
                }
                Console.out("remote: \(remote.url)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the configured investigator service URL.")
        @Option(name: .long, help: ArgumentHelp("The keyring directory.", valueName: "DIR")) var keyring: String

        func run() throws {
            try Console.run { () throws(VaultError) in
                Console.out("remote: \(try Keyring(directory: URL(fileURLWithPath: keyring, isDirectory: true)).remote().url)")
            }
        }
    }
}
