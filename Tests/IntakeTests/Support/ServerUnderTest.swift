import Foundation
import Testing

/// One throw-away deployment: an agency keyring and vault made by the real `tipvault init`,
/// a policy file, and a real `tipintake serve` process on a free loopback port with its own
/// TMPDIR and its stdout/stderr in log files, so tests can scan every byte it left behind.
final class ServerUnderTest: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static let passphrase = "intake test passphrase"
    static let investigator = "ana"

    let root: URL
    let vault: URL
    let keyring: URL
    let tmp: URL
    let work: URL
    let policyFile: URL
    let stdoutLog: URL
    let stderrLog: URL
    private(set) var port = 0
    /// The investigator listener's port, when the deployment was made with `adminKeys`.
    private(set) var investigatorPort = 0
    /// `admin.pub` lines; non-nil starts the server with `--investigator-port 0`.
    let adminKeys: [String]?
    private var process: Process?

    /// Creates the deployment and starts the server; throws with the server's stderr if it
    /// does not print its listening line within 60 s.
    /// `parent`: where the deployment's folder goes (a test's own volume), the temp dir by default.
    init(policy: TestPolicy = TestPolicy(), environment: [String: String] = [:], adminKeys: [String]? = nil, parent: URL? = nil) throws {
        self.adminKeys = adminKeys
        guard let tipintake = Binaries.tipintake else { throw Failure(description: "tipintake is not built") }
        root = (parent ?? FileManager.default.temporaryDirectory).appendingPathComponent("intake-\(UUID().uuidString.prefix(8))")
        vault = root.appendingPathComponent("vault")
        keyring = root.appendingPathComponent("keyring")
        tmp = root.appendingPathComponent("server-tmp")
        work = root.appendingPathComponent("work")
        policyFile = root.appendingPathComponent("policy.yaml")
        stdoutLog = root.appendingPathComponent("server.stdout")
        stderrLog = root.appendingPathComponent("server.stderr")
        for d in [root, tmp, work] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try policy.yaml.write(to: policyFile, atomically: true, encoding: .utf8)
        let initResult = try tipvault(["init", "--vault", vault.path, "--keyring", keyring.path, "--investigator", Self.investigator])
        guard initResult.status == 0 else { throw Failure(description: "tipvault init failed: \(initResult.err)") }
        if let adminKeys {
            try (adminKeys.joined(separator: "\n") + "\n").write(to: vault.appendingPathComponent("admin.pub"), atomically: true, encoding: .utf8)
        }
        try start(tipintake, environment: environment)
    }

    deinit {
        _ = stop()
        if ProcessInfo.processInfo.environment["TIPLINE_KEEP_SCRATCH"] == nil { try? FileManager.default.removeItem(at: root) }
    }

    /// Stops the process (SIGTERM) and starts a new one on the same vault, policy and TMPDIR;
    /// returns the old process's exit status.
    @discardableResult
    func restart(environment: [String: String] = [:]) throws -> Int32? {
        let status = stop()
        try start(Binaries.tipintake!, environment: environment)
        return status
    }

    private func start(_ binary: URL, environment: [String: String]) throws {
        FileManager.default.createFile(atPath: stdoutLog.path, contents: nil)
        FileManager.default.createFile(atPath: stderrLog.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = ["serve", "--data", vault.path, "--policy", policyFile.path, "--host", "127.0.0.1", "--port", "0"]
        if adminKeys != nil { p.arguments! += ["--investigator-port", "0"] }
        p.environment = ["PATH": "/usr/bin:/bin", "TMPDIR": tmp.path, "HOME": root.path].merging(environment) { $1 }
        p.standardOutput = try FileHandle(forWritingTo: stdoutLog)
        p.standardError = try FileHandle(forWritingTo: stderrLog)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let out = (try? String(contentsOf: stdoutLog, encoding: .utf8)) ?? ""
            if let line = out.split(separator: "\n").first(where: { $0.hasPrefix("tipintake: listening on http://") }),
                let portText = line.split(separator: ":").last, let port = Int(portText)
            {
                let investigator = out.split(separator: "\n").first { $0.hasPrefix("tipintake: investigator listener on http://") }
                if adminKeys == nil || investigator != nil {
                    self.port = port
                    investigatorPort = investigator.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) } ?? 0
                    return
                }
            }
            if !p.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let err = (try? String(contentsOf: stderrLog, encoding: .utf8)) ?? ""
        _ = stop()
        throw Failure(description: "the server did not print its listening line; stderr: \(err)")
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    /// SIGTERM, then SIGKILL after 15 s. Returns the exit status (nil if it had to be killed).
    @discardableResult
    func stop() -> Int32? {
        guard let p = process else { return nil }
        process = nil
        if p.isRunning {
            kill(p.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(15)
            while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                return nil
            }
        }
        p.waitUntilExit()
        return p.terminationStatus
    }

    var stdoutText: String { (try? String(contentsOf: stdoutLog, encoding: .utf8)) ?? "" }
    var stderrText: String { (try? String(contentsOf: stderrLog, encoding: .utf8)) ?? "" }

    // MARK: Investigator side: the real tipvault CLI.

    func tipvault(_ arguments: [String]) throws -> Run.Result {
        guard let binary = Binaries.tipvault else { throw Failure(description: "tipvault is not built") }
        return try Run.capture(
            binary, arguments, env: ["TIPVAULT_PASSPHRASE": Self.passphrase, "TIPVAULT_TEST_FAST_KDF": "1"], directory: work)
    }

    /// `tipvault <command> … --vault V --keyring K`.
    func investigate(_ arguments: [String]) throws -> Run.Result {
        try tipvault(arguments + ["--vault", vault.path, "--keyring", keyring.path])
    }

    /// `tipvault list --json`, decoded.
    func listTips() throws -> [[String: Any]] {
        let r = try investigate(["list", "--json"])
        guard r.status == 0 else { throw Failure(description: "tipvault list failed: \(r.err)") }
        guard let list = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]] else {
            throw Failure(description: "tipvault list --json printed no JSON array: \(r.out.prefix(200))")
        }
        return list
    }

    func tipCount() throws -> Int { try listTips().count }

    /// `tipvault show ID --json`, decoded.
    func showTip(_ id: String) throws -> [String: Any] {
        let r = try investigate(["show", id, "--json"])
        guard r.status == 0, let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
            throw Failure(description: "tipvault show failed: \(r.err)")
        }
        return object
    }

    // MARK: HTTP shortcuts

    func get(_ path: String) throws -> RawResponse { try RawConnection.exchange(port: port, "GET", path) }

    func submit(_ body: MultipartBody, path: String = "/api/v1/tips", headers: [(String, String)] = [], sourceAddress: String? = nil) throws
        -> RawResponse
    {
        try RawConnection.postMultipart(port: port, path, body, headers: headers, sourceAddress: sourceAddress)
    }

    /// Every regular file under `directory`, recursively, with its bytes.
    static func files(under directory: URL) -> [(path: String, bytes: [UInt8])] {
        guard let e = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [(path: String, bytes: [UInt8])] = []
        for case let url as URL in e {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                let d = try? Data(contentsOf: url)
            else { continue }
            out.append((path: url.path, bytes: [UInt8](d)))
        }
        return out
    }
}
