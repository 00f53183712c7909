import ArgumentParser
import Foundation
import Logging
import TipIntake
import TiplinePolicy

/// `tipintake serve --data DIR [--policy FILE] [--host 127.0.0.1] [--port 8080] [--strings FILE]`.
/// Refuses to start, with one `tipintake: error:` line and a hint, when the data directory is
/// not ready (no agency.pub, a damaged deployment.salt) or a file given is invalid.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the submission form and JSON API (127.0.0.1 by default).",
        discussion: """
            DIR is the vault directory (as `tipvault --vault DIR`); it must hold agency.pub, written by \
            `tipvault init`. Logs go to standard error (level: TIPLINE_LOG_LEVEL, default notice). \
            SIGINT/SIGTERM stop it gracefully.
            """)

    @Option(help: "The vault directory: vault.sqlite, agency.pub, deployment.salt.") var data: String
    @Option(help: "Policy file (YAML); the built-in default policy otherwise.") var policy: String?
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "YAML file overriding page texts (key: text).") var strings: String?
    @Option(help: "Also serve the investigator API on this port (0 picks a free one); needs admin.pub in DIR.")
    var investigatorPort: Int?
    @Option(help: "Address of the investigator listener; keep it off the tipsters' address (DEPLOY.md).")
    var investigatorHost = "127.0.0.1"

    func run() async throws {
        let level = Self.logLevel()
        LoggingSystem.bootstrap { _ in IntakeLogHandler(level: level) }
        guard (0...65535).contains(port) else { throw Self.fail("--port \(port) is not a port number (0-65535)") }
        if let investigatorPort, !(0...65535).contains(investigatorPort) {
            throw Self.fail("--investigator-port \(investigatorPort) is not a port number (0-65535)")
        }
        var loaded = Policy.default
        if let policy {
            do {
                loaded = try PolicyLoader.load(path: policy)
            } catch {
                throw Self.fail("\(error); fix the policy file (tipintake check-policy \(policy))")
            }
        }
        var texts = IntakeStrings()
        if let strings {
            do {
                texts = try IntakeStrings.load(path: strings)
            } catch {
                throw Self.fail(error.description)
            }
        }
        var configuration = IntakeConfiguration(
            dataDirectory: URL(fileURLWithPath: data, isDirectory: true), policy: loaded, host: host, port: port,
            strings: texts, logLevel: level)
        configuration.investigatorPort = investigatorPort
        configuration.investigatorHost = investigatorHost
        let server: IntakeServer
        do {
            server = try IntakeServer(configuration: configuration)
        } catch {
            throw Self.fail(error.message, hint: error.hint)
        }
        do {
            try await server.run()
        } catch {
            throw Self.fail("cannot serve on \(host):\(port): \(error); is another server using the port?")
        }
    }

    static func logLevel() -> Logger.Level {
        ProcessInfo.processInfo.environment["TIPLINE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .notice
    }

    /// One `tipintake: error:` line (and a hint line), exit status 1.
    static func fail(_ message: String, hint: String? = nil) -> ExitCode {
        FileHandleOutput.stderr("tipintake: error: \(message)")
        if let hint { FileHandleOutput.stderr("tipintake: hint: \(hint)") }
        return ExitCode(1)
    }
}
