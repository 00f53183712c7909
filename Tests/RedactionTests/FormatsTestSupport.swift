import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Shared helpers for the WebP, HEIF and TIFF tests: running the real tools (exiftool,
/// ImageMagick), feeding scrubbers and verifiers through their protocols, and finding the corpus.
enum FormatsSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/corpus` from the repository root (or one level further up for worktrees).
    static let corpus: URL? = ["../shared/corpus", "../../shared/corpus"]
        .map { repoRoot.appendingPathComponent($0).standardizedFileURL }
        .first { FileManager.default.fileExists(atPath: $0.path) }

    static func corpusFiles(_ folder: String, extensions: Set<String>) -> [URL] {
        guard let root = corpus?.appendingPathComponent(folder),
            let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        else { return [] }
        return walker.compactMap { $0 as? URL }
            .filter { extensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }

    /// A fresh temporary folder for one test.
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a tool and fails the test when it exits non-zero.
    static func must(_ tool: String, _ arguments: [String]) throws {
        let result = try run(tool, arguments)
        try #require(result.status == 0, "\(tool) \(arguments.joined(separator: " ")): \(result.output)")
    }

    /// exiftool's view of a file: "Group:Tag" → value.
    static func exif(_ file: URL) throws -> [String: String] {
        let result = try run("exiftool", ["-j", "-G1", "-a", "-u", "-n", file.path])
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]]
        return (json?.first ?? [:]).mapValues { "\($0)" }
    }

    /// Keys exiftool reports that identify a person, place, device or time, or are XMP/IPTC at all.
    static func leaks(_ tags: [String: String]) -> [String] {
        let groups = ["GPS", "XMP", "IPTC", "ExifIFD", "IFD1", "MakerNotes", "Photoshop", "InteropIFD", "Apple", "Samsung"]
        let names: Set<String> = [
            "Make", "Model", "Artist", "Software", "DateTime", "ModifyDate", "DateTimeOriginal", "CreateDate",
            "SerialNumber", "InternalSerialNumber", "Copyright", "ImageDescription", "DocumentName", "HostComputer",
            "UserComment", "OwnerName", "LensModel", "GPSLatitude", "GPSLongitude", "ThumbnailImage", "Comment",
        ]
        return tags.keys.filter { key in
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return false }
            if ["System", "File", "ExifTool", "Composite"].contains(parts[0]) { return false }
            return groups.contains { parts[0].hasPrefix($0) } || names.contains(parts[1])
        }.sorted()
    }

    /// Decoded pixels equal? ImageMagick's absolute-error count is exactly
    /// 0 for every frame of `a` (compared one by one: `compare` on two animations pairs frames
    /// wrongly). Tests of animations also check the output's frame count.
    static func samePixels(_ a: URL, _ b: URL) throws -> Bool {
        let frames = try frameCount(a)
        guard frames > 0 else { return false }
        for frame in 0..<frames {
            let result = try run("compare", ["-quiet", "-metric", "AE", "\(a.path)[\(frame)]", "\(b.path)[\(frame)]", "null:"])
            guard result.status == 0, result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0" else { return false }
        }
        return true
    }

    static func frameCount(_ file: URL) throws -> Int {
        let result = try run("identify", ["-quiet", "-format", "%n\n", file.path])
        return Int(result.output.split(separator: "\n").first ?? "") ?? 0
    }

    static func read(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
    static func write(_ bytes: [UInt8], _ url: URL) throws { try Data(bytes).write(to: url) }
}

/// Drives any scrubber/verifier pair through the push protocols.
enum FormatsDrive {
    static func scrub<S: Scrubber>(
        _ type: S.Type, _ input: [UInt8], options: ScrubOptions = ScrubOptions(), piece: Int = 64 * 1024
    ) throws(RedactionError) -> (bytes: [UInt8], summary: ScrubSummary) {
        var scrubber = S(options: options)
        var out: [UInt8] = []
        var start = 0
        while start < input.count {
            let end = min(start + piece, input.count)
            let step: Result<Void, RedactionError> = input[start..<end].withUnsafeBytes { raw in
                Result { () throws(RedactionError) in try scrubber.consume(raw, into: &out) }
            }
            try step.get()
            start = end
        }
        let summary = try scrubber.finish(into: &out)
        return (out, summary)
    }

    static func verify<V: OutputVerifier>(_ type: V.Type, _ output: [UInt8], options: ScrubOptions = ScrubOptions()) throws(RedactionError) {
        var verifier = V(options: options)
        let step: Result<Void, RedactionError> = output.withUnsafeBytes { raw in
            Result { () throws(RedactionError) in try verifier.consume(raw) }
        }
        try step.get()
        try verifier.finish()
    }

    /// Scrubs and, when that succeeds, verifies: hostile-input tests use this to show a success
    /// is never an unscrubbed output.
    static func scrubAndVerify<S: Scrubber, V: OutputVerifier>(
        _ s: S.Type, _ v: V.Type, _ input: [UInt8], options: ScrubOptions = ScrubOptions()
    ) throws(RedactionError) -> [UInt8] {
        let out = try scrub(s, input, options: options).bytes
        try verify(v, out, options: options)
        return out
    }
}

/// Seeded byte mutation for hostile-input tests: deterministic, so a failure reproduces.
struct FormatsMutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A copy of `bytes` with 1-4 bytes in the first `window` bytes set to random or boundary values.
    mutating func mutate(_ bytes: [UInt8], window: Int) -> [UInt8] {
        var copy = bytes
        let limit = min(window, copy.count)
        guard limit > 0 else { return copy }
        for _ in 0...(next() % 4) {
            let at = Int(next() % UInt64(limit))
            let choices: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, UInt8(truncatingIfNeeded: next())]
            copy[at] = choices[Int(next() % UInt64(choices.count))]
        }
        return copy
    }
}
