import ArgumentParser
import TiplinePolicy

@main
struct TipintakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tipintake",
        abstract: "Tipline's intake side: serve the submission page and API, scrub files, check policies.",
        subcommands: [Serve.self, Redact.self, CheckPolicy.self])
}

/// Printed by subcommands whose module has not landed yet: an honest refusal, never fake output.
struct NotAvailableYet: Error, CustomStringConvertible {
    let command: String
    var description: String { "tipintake: error: `\(command)` is not available yet in this build" }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the submission form and JSON API (127.0.0.1 by default).")
    func run() throws { throw NotAvailableYet(command: "serve") }
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
