import Foundation
import Testing

/// Runs the built `tipvault` binary the way a person would, capturing stdout, stderr and the
/// exit status. The environment is minimal: only what the test passes (plus PATH), with the
/// test-only fast Argon2id hook on so keyring commands take milliseconds.
enum CLI {
    /// `tipvault` sits next to the test bundle in the build's bin directory.
    static let binary: URL? = {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(arg0.deletingLastPathComponent())
        candidates.append(arg0.deletingLastPathComponent().deletingLastPathComponent())
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(repo.appendingPathComponent(".build/debug"))
        return candidates.map { $0.appendingPathComponent("tipvault") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Result { var out: String; var err: String; var status: Int32 }

    static func run(_ arguments: [String], env: [String: String] = [:], in directory: URL) throws -> Result {
        let binary = try #require(binary, "tipvault binary not found next to the tests; run `swift build --build-tests` first")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin", "TIPVAULT_TEST_FAST_KDF": "1"].merging(env) { $1 }
        let outURL = directory.appendingPathComponent(".out-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent(".err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(
            out: try String(contentsOf: outURL, encoding: .utf8), err: try String(contentsOf: errURL, encoding: .utf8),
            status: process.terminationStatus)
    }
}
