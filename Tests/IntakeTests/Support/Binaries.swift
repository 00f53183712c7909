import Foundation

/// The built `tipintake` and `tipvault` executables, found beside the test bundle the way
/// the CLI golden tests find theirs (`swift build --build-tests` puts them all in one bin dir).
enum Binaries {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func locate(_ name: String) -> URL? {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(arg0.deletingLastPathComponent())
        candidates.append(arg0.deletingLastPathComponent().deletingLastPathComponent())
        candidates.append(repo.appendingPathComponent(".build/debug"))
        return candidates.map { $0.appendingPathComponent(name) }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { FileManager.default.isExecutableFile(atPath: $0) }

    static let tipintake = locate("tipintake")
    static let tipvault = locate("tipvault")

    /// Both binaries exist and `tipintake` knows the `serve` subcommand.
    static let serverAvailable: Bool = {
        guard let tipintake, tipvault != nil else { return false }
        guard let r = try? Run.capture(tipintake, ["serve", "--help"]) else { return false }
        return r.status == 0
    }()
}

/// Runs a process to completion, capturing stdout and stderr through files (no pipe deadlocks).
enum Run {
    struct Result {
        var out: String
        var err: String
        var status: Int32
        var outBytes: [UInt8]
    }

    static func capture(_ binary: URL, _ arguments: [String], env: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tipline-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        p.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"].merging(env) { $1 }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try? out.close()
        try? err.close()
        let o = try Data(contentsOf: outURL)
        return Result(
            out: String(decoding: o, as: UTF8.self), err: try String(contentsOf: errURL, encoding: .utf8),
            status: p.terminationStatus, outBytes: [UInt8](o))
    }

    /// A tool on PATH (exiftool, compare, convert).
    static func tool(_ name: String, _ arguments: [String]) throws -> Result {
        try capture(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments)
    }
}
