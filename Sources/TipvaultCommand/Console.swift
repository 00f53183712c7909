import ArgumentParser
import Foundation
import TiplineVault

/// The one voice `tipvault` speaks in: results on stdout; `tipvault: error: …` and
/// `tipvault: hint: …` on stderr, exit status 1.
enum Console {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Errors may quote paths, prefixes and SQLite's words: cleaned like everything else.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data(("tipvault: " + Output.clean(line, limit: 4000) + "\n").utf8))
    }

    static func fail(_ message: String, hint: String? = nil) -> ExitCode {
        note("error: " + message)
        if let hint { note("hint: " + hint) }
        return ExitCode(1)
    }

    /// Reports damage found while reading (each error on its own line, one hint), exit status 1.
    /// Called after the sound part was printed, so nothing damaged passes for sound with exit 0.
    static func failDamaged(_ damaged: [VaultError]) throws {
        guard let first = damaged.first else { return }
        for error in damaged { note("error: " + error.description) }
        if let hint = first.hint { note("hint: " + hint) }
        throw ExitCode(1)
    }

    /// Runs a command body, turning `VaultError` into the error voice.
    static func run(_ body: () throws(VaultError) -> Void) throws {
        do {
            try body()
        } catch {
            throw fail(error.description, hint: error.hint)
        }
    }

    static func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding our own Codable types cannot fail. Controls, C1 and bidi characters inside
        // strings become \u escapes: the same values for a script, nothing for a terminal to obey.
        out(Output.escapingJSON(String(decoding: try! encoder.encode(value), as: UTF8.self)))
    }

    /// Left-aligned columns separated by two spaces; cells are already cleaned.
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        out(line(header))
        for row in rows { out(line(row)) }
    }
}
