import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

#if canImport(Glibc)
    import Glibc
#endif

/// A writer killed with SIGKILL at random moments: the vault must open sound, every tip whose
/// commit returned (the child printed its id only then) must read in full, and nothing half
/// written may be visible or left behind.
@Suite("Crash safety", .enabled(if: CLI.binary != nil, "the tipvault binary is not built"))
struct CrashSafetyTests {
    @Test("SIGKILL mid-write leaves a sound vault with every acknowledged tip complete")
    func killedWriterLeavesNoPartialTip() throws {
        let t = try TestVault()
        let binary = try #require(CLI.binary)
        var acknowledged: [String] = []
        let delays = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7]
        for (round, delay) in delays.shuffled().enumerated() {
            let process = Process()
            process.executableURL = binary
            // Sizes vary per round so kills land inside chunk writes, part switches and commits.
            process.arguments = [
                "debug-write-tips", "--vault", t.vaultDirectory.path,
                "--attachment-bytes", String(20_000 + round * 70_000), "--attachments", "2",
            ]
            process.environment = ["PATH": "/usr/bin:/bin"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay + Double.random(in: 0...0.2))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Only whole lines count: the child prints an id after its commit returned.
            let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            acknowledged += lines.map(String.init).filter { $0.count == 26 }
        }
        #expect(!acknowledged.isEmpty, "no tip was committed before any kill; the test proved nothing")

        let reopened = try Vault(directory: t.vaultDirectory, policy: .init())
        #expect(try reopened.integrityCheck() == "ok")
        #expect(try reopened.orphanChunkCount() == 0)
        #expect(try reopened.debugStrings("SELECT count(*) FROM uploads") == ["0"])
        #expect(try reopened.debugStrings("SELECT count(*) FROM chunks WHERE envelope_id NOT IN (SELECT id FROM envelopes)") == ["0"])

        let investigation = Investigation(vault: reopened, keys: [t.key], investigator: "alice")
        let stored = try investigation.summaries()
        print("crash safety: \(acknowledged.count) acknowledged, \(stored.count) visible after \(delays.count) kills")
        let storedIDs = Set(stored.map(\.id.text))
        for id in acknowledged { #expect(storedIDs.contains(id), "acknowledged tip \(id) is missing") }
        // Every visible tip (acknowledged or committed just before a kill) reads in full.
        for (n, summary) in stored.enumerated() {
            let out = t.root.appendingPathComponent("export-\(n)")
            let files = try investigation.export(summary.id, to: out)
            #expect(files.count == 2)
            for file in files {
                let data = try Data(contentsOf: out.appendingPathComponent(file.name))
                #expect(data.count == file.bytes)
                #expect(data == Data(repeating: data.first ?? 0, count: data.count), "attachment of \(summary.id) is not the pattern written")
            }
        }
    }
}
