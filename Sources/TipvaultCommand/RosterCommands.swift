import ArgumentParser
import Foundation
import TiplineCrypto
import TiplineVault

/// `tipvault roster show|set|remove`: the admin's side of the investigator service. The
/// roster is fetched, its signature checked, changed, given the next sequence number, signed
/// with the admin's own signing key on this machine and put back; the server accepts it only
/// if that key is a pinned (`admin.pub`) or current roster admin, so a server that is taken
/// over cannot add anyone.
struct RosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster", abstract: "Show or change who may use the investigator service (admins only for changes).",
        subcommands: [Show.self, Set.self, Remove.self])

    /// The roster the server holds now (nil before the first), its signature verified.
    static func current(_ client: ServiceClient) throws(VaultError) -> SignedRoster? {
        let body = try client.send("GET", "/investigator/v1/roster").body
        guard !body.isEmpty else { return nil }
        do { return try SignedRoster(bytes: body) } catch {
            throw .serviceAnswerMalformed(reason: "the roster does not verify (\(error.description))")
        }
    }

    /// Signs `members` as the next roster and puts it; returns the new sequence number.
    static func replace(_ client: ServiceClient, after old: SignedRoster?, members: [Roster.Member]) throws(VaultError) -> UInt64 {
        let sequence = (old?.roster.sequence ?? 0) + 1
        let roster: Roster
        do { roster = try Roster(sequence: sequence, members: members) } catch {
            throw .rosterChangeInvalid(reason: error.description)
        }
        _ = try client.send("PUT", "/investigator/v1/roster", body: roster.signed(by: client.key).bytes)
        return sequence
    }

    static func print(_ signed: SignedRoster?) {
        guard let signed else { return Console.out("no roster yet (only the keys in the server's admin.pub are admins)") }
        Console.out("roster sequence \(signed.roster.sequence), signed by \(signed.signer.text)")
        for m in signed.roster.members {
            Console.out("  \(Output.clean(m.name, limit: 64))  \(m.role.rawValue)  \(m.key.text)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the service's roster (its signature checked).")
        @OptionGroup var access: KeyAccess
        func run() throws {
            try Console.run { () throws(VaultError) in RosterCommand.print(try RosterCommand.current(try access.serviceClient())) }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Add an investigator (or change their key or role) and sign the new roster.")
        @Argument(help: "The investigator's name.") var name: String
        @Argument(help: "Their signing key, as `tipvault whoami` prints it (tipline-investigator-pk-v1:…).") var key: String
        @Option(name: .long, help: "investigator or admin.") var role = "investigator"
        @OptionGroup var access: KeyAccess
        func run() throws {
            try Console.run { () throws(VaultError) in
                guard let role = Roster.Role(rawValue: role), role != .revoked else {
                    throw .rosterChangeInvalid(reason: "--role must be investigator or admin (`tipvault roster remove` revokes)")
                }
                let publicKey: InvestigatorPublicKey
                do { publicKey = try InvestigatorPublicKey(text: key) } catch {
                    throw .rosterChangeInvalid(reason: "the key is not a signing key as `tipvault whoami` prints it (\(error))")
                }
                let client = try access.serviceClient()
                let old = try RosterCommand.current(client)
                let others = (old?.roster.members ?? []).filter { $0.name != name && $0.key != publicKey }
                let sequence = try RosterCommand.replace(client, after: old, members: others + [.init(name: name, key: publicKey, role: role)])
                Console.out("roster sequence \(sequence): \(Output.clean(name, limit: 64)) is \(role.rawValue)")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Revoke an investigator: their requests are refused at once (then rotate, INVESTIGATORS.md).")
        @Argument(help: "The investigator's name.") var name: String
        @OptionGroup var access: KeyAccess
        func run() throws {
            try Console.run { () throws(VaultError) in
                let client = try access.serviceClient()
                let old = try RosterCommand.current(client)
                let members = old?.roster.members ?? []
                guard members.contains(where: { $0.name == name && $0.role != .revoked }) else {
                    throw .rosterChangeInvalid(reason: "no current member is named \(Output.clean(name, limit: 64))")
                }
                // Kept listed as revoked, so the server answers 403 (not 401) and the name is not reused by mistake.
                let changed = members.map { $0.name == name ? Roster.Member(name: $0.name, key: $0.key, role: .revoked) : $0 }
                let sequence = try RosterCommand.replace(client, after: old, members: changed)
                Console.out("roster sequence \(sequence): \(Output.clean(name, limit: 64)) is revoked")
            }
        }
    }
}
