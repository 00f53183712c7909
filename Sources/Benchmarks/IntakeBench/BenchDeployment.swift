import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throw-away deployment for the benchmark: keys from the real `tipvault init`, a policy,
/// and the release `tipintake serve` found beside this executable, on a free loopback port.
final class BenchDeployment {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let binDirectory: URL = {
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return (Bundle.main.executableURL ?? arg0).deletingLastPathComponent()
    }()

    static func binary(_ name: String) throws -> URL {
        let url = binDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw Failure(description: "\(name) not found in \(binDirectory.path); build it first (scripts/run-benchmarks.sh builds all)")
        }
        return url
    }

    let root: URL
    let vault: URL
    let process: Process
    let port: Int

    init(policyYAML: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-bench-\(UUID().uuidString.prefix(8))")
        vault = root.appendingPathComponent("vault")
        let tmp = root.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let policy = root.appendingPathComponent("policy.yaml")
        try policyYAML.write(to: policy, atomically: true, encoding: .utf8)
        let initTool = Process()
        initTool.executableURL = try Self.binary("tipvault")
        initTool.arguments = ["init", "--vault", vault.path, "--keyring", root.appendingPathComponent("keyring").path, "--investigator", "bench"]
        initTool.environment = ["PATH": "/usr/bin:/bin", "TIPVAULT_PASSPHRASE": "bench"]  // release: the keyring's real cost
        initTool.standardOutput = FileHandle.nullDevice
        try initTool.run()
        initTool.waitUntilExit()
        guard initTool.terminationStatus == 0 else { throw Failure(description: "tipvault init failed") }

        let out = root.appendingPathComponent("stdout")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = try Self.binary("tipintake")
        p.arguments = ["serve", "--data", vault.path, "--policy", policy.path, "--host", "127.0.0.1", "--port", "0"]
        p.environment = ["PATH": "/usr/bin:/bin", "TMPDIR": tmp.path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = FileHandle.standardError
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline && p.isRunning {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tipintake: listening on http://") }) {
                found = line.split(separator: ":").last.flatMap { Int($0) }
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let found else {
            if p.isRunning { p.terminate() }
            throw Failure(description: "tipintake serve did not start")
        }
        port = found
    }

    /// The server's peak resident set (VmHWM) in bytes.
    var peakRSS: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return (Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? -1) * 1024
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    static func policy(argon2Ops: Int, argon2Mem: Int, maxBytes: Int) -> String {
        """
        version: 1
        intake:
          max_attachment_bytes: \(maxBytes)
          max_request_bytes: \(maxBytes + 1_000_000)
          body_idle_timeout_seconds: 120
          max_concurrent_uploads: 16
          receipt_attempts_per_minute: 100000
        redaction:
          max_file_bytes: \(maxBytes)
        receipts:
          argon2_ops_limit: \(argon2Ops)
          argon2_mem_limit_bytes: \(argon2Mem)
          max_concurrent_derivations: 2

        """
    }
}
