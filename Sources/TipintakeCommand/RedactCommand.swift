import ArgumentParser
import Foundation
import TiplinePolicy
import TiplineRedaction

/// `tipintake redact IN -o OUT`: the same `Redactor` intake uses, on one file. OUT appears
/// only if the scrubbed output verified: bytes go to a hidden temporary sibling that is
/// renamed into place at the end (or, for `-o -`, are held in memory and written at the end).
/// An existing OUT is not overwritten unless `--force` is given.
struct Redact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scrub one file exactly as intake does (IN -o OUT, `-` for stdin/stdout).",
        discussion: """
            Exit status: 0 scrubbed and verified; 1 the file was refused (unsupported, malformed \
            or not verifiable); 2 a usage, policy or I/O problem. On failure OUT is not written.
            """)

    @Argument(help: "The file to scrub, or `-` for standard input.") var input: String
    @Option(name: .shortAndLong, help: "Where to write the scrubbed file, or `-` for standard output.") var output: String
    @Option(help: "Policy file (YAML); the built-in default policy otherwise.") var policy: String?
    @Flag(help: "Print the redaction report as JSON (to standard error when OUT is `-`).") var json = false
    @Flag(help: "Keep the GPS position, if the policy allows the tipster to opt in.") var keepLocation = false
    @Flag(help: "Keep the capture date, if the policy allows the tipster to opt in.") var keepCaptureDate = false
    @Flag(help: "Replace OUT if it already exists.") var force = false

    func run() throws {
        let name = Self.printable(input)
        var loaded = Policy.default
        if let policy {
            do {
                loaded = try PolicyLoader.load(path: policy)
            } catch {
                throw Self.fail(Self.printable(policy), "\(error); fix the policy file", code: 2)
            }
        }
        let source: RedactInput
        do {
            source = try RedactInput(path: input)
        } catch {
            throw Self.fail(name, "cannot read it (\(error.reason)); check the path and permissions", code: 2)
        }
        let sink: RedactOutput
        do {
            sink = try RedactOutput(path: output, overwrite: force)
        } catch {
            throw Self.fail(Self.printable(output), "\(error.reason)", code: 2)
        }
        var session = Redactor(policy: loaded.redaction).makeSession(
            keepLocation: keepLocation, keepCaptureDate: keepCaptureDate)
        let report: RedactionReport
        do {
            while let piece = try source.next() {
                try sink.write(try session.consume(piece))
            }
            let (tail, r) = try session.finish()
            try sink.write(tail)
            report = r
        } catch let error as RedactionError {
            sink.abandon()
            throw Self.fail(name, error.description, code: 1)
        } catch let error as RedactIOError {
            sink.abandon()
            throw Self.fail(name, error.reason, code: 2)
        }
        do {
            try sink.commit()
        } catch {
            sink.abandon()
            throw Self.fail(Self.printable(output), error.reason, code: 2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text = String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
            if output == "-" { FileHandleOutput.stderr(text) } else { print(text) }
        } else if output != "-" {
            let removed = report.removed.isEmpty ? "nothing" : report.removed.map(\.rawValue).joined(separator: ", ")
            let kept = report.kept.isEmpty ? "" : "; kept \(report.kept.map(\.rawValue).joined(separator: ", "))"
            print("tipintake: \(name): \(report.format.rawValue) scrubbed and verified, removed \(removed)\(kept)")
        }
    }

    /// One line on stderr, in the shape `tipintake: error: FILE: what; what to do`.
    static func fail(_ file: String, _ message: String, code: Int32) -> ExitCode {
        FileHandleOutput.stderr("tipintake: error: \(file): \(printable(message))")
        return ExitCode(code)
    }

    /// File names and anything read from a file may hold terminal escapes; never print them raw.
    static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { !($0.properties.generalCategory == .control) }))
    }
}
