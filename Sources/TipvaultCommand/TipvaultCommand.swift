import ArgumentParser
import TiplineProcess

/// `tipvault`: the investigator's tool. Thin: it parses arguments, unlocks the keyring, calls
/// TiplineVault and prints. Every command that reads tips needs `--vault` and `--keyring`.
@main
struct TipvaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tipvault",
        abstract: "Open the Tipline vault with an investigator's key: list, read, export, triage, reply.",
        discussion: """
            Passphrases come from a no-echo prompt, --passphrase-file FILE, or TIPVAULT_PASSPHRASE.
            Ids may be shortened to any unique prefix of 4 or more characters.
            """,
        subcommands: [
            InitCommand.self, InvestigatorCommand.self, RotateCommand.self, WhoamiCommand.self, RemoteCommand.self, RosterCommand.self,
            SyncCommand.self,
            ListCommand.self, ShowCommand.self, ExportCommand.self,
            StatusCommand.self, AssignCommand.self, TagCommand.self, NoteCommand.self,
            ReplyCommand.self, PurgeCommand.self, ForwardCommand.self, OpenEnvelopeCommand.self,
            DebugWriteTipsCommand.self,
        ])

    /// Hardens the process before any key is unlocked: decrypted tips must never reach a core file.
    static func main() {
        for failure in ProcessHardening.apply() {
            Console.note("warning: could not set the \(failure); a crash may leave plaintext behind")
        }
        Self.main(nil)
    }
}
