import ArgumentParser

@main
struct TipvaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tipvault",
        abstract: "Open the Tipline vault with an investigator's key: list, read, export, triage, reply.",
        subcommands: [
            Placeholder<InitCmd>.self, Placeholder<InvestigatorCmd>.self, Placeholder<RotateCmd>.self,
            Placeholder<ListCmd>.self, Placeholder<ShowCmd>.self, Placeholder<ExportCmd>.self,
            Placeholder<StatusCmd>.self, Placeholder<AssignCmd>.self, Placeholder<TagCmd>.self,
            Placeholder<NoteCmd>.self, Placeholder<ReplyCmd>.self, Placeholder<PurgeCmd>.self,
            Placeholder<ForwardCmd>.self,
        ])
}

protocol PlaceholderName { static var name: String { get }; static var abstract: String { get } }
enum InitCmd: PlaceholderName { static let name = "init"; static let abstract = "Create the agency keypair and the investigator keyring." }
enum InvestigatorCmd: PlaceholderName { static let name = "investigator"; static let abstract = "Add an investigator (wrap the agency key under their passphrase)." }
enum RotateCmd: PlaceholderName { static let name = "rotate"; static let abstract = "Start a new agency key; old tips stay readable." }
enum ListCmd: PlaceholderName { static let name = "list"; static let abstract = "List tips, newest first." }
enum ShowCmd: PlaceholderName { static let name = "show"; static let abstract = "Show one tip with its attachments, conversation and triage history." }
enum ExportCmd: PlaceholderName { static let name = "export"; static let abstract = "Export a tip's decrypted attachments to a directory." }
enum StatusCmd: PlaceholderName { static let name = "status"; static let abstract = "Set a tip's status." }
enum AssignCmd: PlaceholderName { static let name = "assign"; static let abstract = "Assign a tip to an investigator." }
enum TagCmd: PlaceholderName { static let name = "tag"; static let abstract = "Tag a tip." }
enum NoteCmd: PlaceholderName { static let name = "note"; static let abstract = "Add an encrypted triage note." }
enum ReplyCmd: PlaceholderName { static let name = "reply"; static let abstract = "Reply to the tipster, sealed to their receipt key." }
enum PurgeCmd: PlaceholderName { static let name = "purge"; static let abstract = "Delete tips older than N days for good." }
enum ForwardCmd: PlaceholderName { static let name = "forward"; static let abstract = "Re-seal a tip for another agency's public key." }

/// A subcommand whose implementation has not landed: it refuses honestly.
struct Placeholder<N: PlaceholderName>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: N.name, abstract: N.abstract + " (not available yet)")
    }
    func run() throws {
        print("tipvault: error: `\(N.name)` is not available yet in this build")
        throw ExitCode(2)
    }
}
