import ArgumentParser
import TiplinePolicy

@main
struct TipintakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tipintake",
        abstract: "Tipline's intake side: serve the submission page and API, scrub files, check policies.",
        subcommands: [Serve.self, Redact.self, CheckPolicy.self])
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
