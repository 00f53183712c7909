import Foundation
import Testing

/// Runs the independent tools the tests use as oracles (exiftool, ImageMagick, jpegtran).
enum Tools {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `tool args…` and returns its stdout; throws with stderr if it exits non-zero.
    @discardableResult
    static func run(_ tool: String, _ args: [String], allowFailure: Bool = false) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe()
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("tipline-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let err = try FileHandle(forWritingTo: errFile)
        defer { try? FileManager.default.removeItem(at: errFile) }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? err.close()
        if p.terminationStatus != 0 && !allowFailure {
            let message = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
            throw Failure(description: "\(tool) \(args.joined(separator: " ")) exited \(p.terminationStatus): \(message)")
        }
        return data
    }

    /// exiftool's full reading (`-j -G1 -a -u -n`) of each file, as "Group:Tag" → value text.
    static func exiftool(_ paths: [String]) throws -> [String: [String: String]] {
        let data = try run("exiftool", ["-j", "-G1", "-a", "-u", "-n"] + paths, allowFailure: true)
        guard let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw Failure(description: "exiftool gave no JSON")
        }
        var result: [String: [String: String]] = [:]
        for item in list {
            guard let source = item["SourceFile"] as? String else { continue }
            var tags: [String: String] = [:]
            for (k, v) in item where k != "SourceFile" { tags[k] = "\(v)" }
            result[source] = tags
        }
        return result
    }

    static func exiftool(_ path: String) throws -> [String: String] {
        try exiftool([path])[path] ?? [:]
    }

    /// ImageMagick's SHA-256 of the decoded pixels, one per frame.
    static func pixelSignature(_ path: String) throws -> String {
        String(decoding: try run("identify", ["-format", "%#;", path]), as: UTF8.self)
    }

    /// One identify run over many files ("%i" names the file, so each line maps back).
    static func pixelSignatures(_ paths: [String]) throws -> [String] {
        let text = String(decoding: try run("identify", ["-format", "%i\t%#\n"] + paths, allowFailure: true), as: UTF8.self)
        var byFile: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            byFile[String(parts[0]), default: ""] += parts[1] + ";"
        }
        return paths.map { byFile[$0] ?? "" }
    }
}

/// A per-test scratch directory, removed at the end.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tipline-redaction-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `TIPLINE_KEEP_SCRATCH=1` keeps the files for a look after a failure.
    deinit {
        if ProcessInfo.processInfo.environment["TIPLINE_KEEP_SCRATCH"] == nil { try? FileManager.default.removeItem(at: url) }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}

/// The shared real-world corpus: `../shared/corpus` beside the repository (or two levels up,
/// for a git worktree under `wt/`), or `$TIPLINE_CORPUS`. Tests needing it skip when absent.
enum Corpus {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let root: URL = {
        var candidates = [
            repo.appendingPathComponent("../shared/corpus").standardizedFileURL,
            repo.appendingPathComponent("../../shared/corpus").standardizedFileURL,
        ]
        if let env = ProcessInfo.processInfo.environment["TIPLINE_CORPUS"] {
            candidates.insert(URL(fileURLWithPath: env), at: 0)
        }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("exif-samples").path) }
        return (found ?? candidates[0]).appendingPathComponent("exif-samples")
    }()

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func file(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(relative))))
    }

    /// Every corpus file whose extension is in `extensions`, as paths relative to the root, sorted.
    static func files(extensions: Set<String>) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
    }
}
