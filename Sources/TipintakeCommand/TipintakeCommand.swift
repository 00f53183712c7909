import ArgumentParser
import TiplinePolicy
import TiplineProcess

@main
struct TipintakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tipintake",
        abstract: "Tipline's intake side: serve the submission page and API, scrub files, check policies.",
        subcommands: [Serve.self, Redact.self, CheckPolicy.self])

    /// Hardens the process (no core dumps, freed heap overwritten) before any tip is read.
    static func main() async {
        for failure in ProcessHardening.apply() {
            FileHandleOutput.stderr("tipintake: warning: could not set the \(failure); a crash may leave plaintext behind")
        }
        await Self.main(nil)
    }
}

struct CheckPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-policy", abstract: "Validate a policy file and name any bad key.")
    @Argument(help: "Policy file (YAML).") var file: String

    func run() throws {
        do {
            _ = try PolicyLoader.load(path: file)
            print("tipintake: policy \(file) is valid")
        } catch {
            FileHandleOutput.stderr("tipintake: error: \(error)")
            throw ExitCode(2)
        }
    }
}
