import Foundation
import Testing

/// THREAT_MODEL §2: a crashed server leaves no copy of its memory behind: no core file, no
/// backtrace (Swift's backtracer prints memory at every register), and it exits at once.
@Suite("Process hardening", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"), .serialized)
struct ProcessHardeningTests {
    @Test("a SIGSEGV writes no core file, even when the parent allowed unlimited core files")
    func crashWritesNoCore() throws {
        let server = try ServerUnderTest()
        server.stop()
        let scratch = server.root.appendingPathComponent("crash-cwd")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("stdout")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `ulimit -c unlimited`, then the server replaces the shell (same pid) in a directory
        // where the kernel's default core pattern would write `core`.
        p.arguments = [
            "-c", #"ulimit -c unlimited && exec "$0" "$@""#, Binaries.tipintake!.path,
            "serve", "--data", server.vault.path, "--port", "0",
        ]
        p.currentDirectoryURL = scratch
        p.environment = ["PATH": "/usr/bin:/bin", "TMPDIR": server.tmp.path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: out, encoding: .utf8)) ?? "").contains("listening on") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning, "the server did not start")
        let limits = try String(contentsOfFile: "/proc/\(p.processIdentifier)/limits", encoding: .utf8)
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        #expect(core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(core)")

        kill(p.processIdentifier, SIGSEGV)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGSEGV)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix("core") }
        #expect(left.isEmpty, "core files written: \(left)")
    }
}
