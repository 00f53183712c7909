import Foundation
import Testing
import TiplineFuzzHarness
import TiplinePolicy
import TiplineRedaction

/// Every input the fuzzers ever saved (crashes, broken invariants, and the small seeds that
/// reach deep into each parser) is replayed here under the plain debug build, so a fixed bug
/// stays fixed without a fuzzer build. Inputs live in `Inputs/<target>/`, one file each.
@Suite struct FuzzReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let inputs = root.appendingPathComponent("Inputs")
    static let entryPoints = root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func savedInputs(_ target: FuzzTarget) -> [URL] {
        let folder = inputs.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The shared corpus's files of the target's format up to 64 KiB (what scripts/fuzz.sh
    /// seeds with): the fuzzers found real corpus files breaking a promise, so all stay here.
    static func corpusInputs(_ target: FuzzTarget) -> [URL] {
        let corpus = root.appendingPathComponent("../../../shared/corpus").standardizedFileURL
        let extensions: Set<String> =
            switch target {
            case .jpeg: ["jpg", "jpeg"]
            case .tiff: ["tif", "tiff"]
            case .heif: ["heic", "heif", "avif"]
            case .movie: ["mp4", "mov", "m4a", "m4b", "3gp"]
            case .wav: ["wav"]
            case .flac: ["flac"]
            case .mp3: ["mp3"]
            case .ogg: ["ogg", "opus"]
            case .webm: ["webm"]
            case .redactor: ["jpg", "mp3", "flac", "wav", "ogg", "mp4", "m4a", "tiff", "heic"]
            case .png, .gif, .webp, .receipt, .envelope, .policy, .multipart: []
            }
        guard let walker = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: [.fileSizeKey]) else { return [] }
        var found: [URL] = []
        for case let url as URL in walker where extensions.contains(url.pathExtension.lowercased()) {
            if let size = try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize, size <= 64 * 1024 { found.append(url) }
        }
        return found.sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTarget.allCases)
    func savedAndCorpusInputsKeepEveryPromise(_ target: FuzzTarget) throws {
        let files = Self.savedInputs(target) + Self.corpusInputs(target)
        #expect(!files.isEmpty, "no replay input for \(target.rawValue) in Inputs/ or the corpus")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            let result = bytes.withUnsafeBytes { raw in Result { () throws(FuzzViolation) in try target.check(raw) } }
            if case .failure(let violation) = result {
                Issue.record("\(target.rawValue)/\(file.lastPathComponent): \(violation.reason)")
            }
        }
    }

    /// Each target has exactly one libFuzzer entry point, and it calls that target.
    @Test func everyTargetHasOneEntryPoint() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.entryPoints.path)
        var called: [String] = []
        for folder in folders {
            let main = try String(
                contentsOf: Self.entryPoints.appendingPathComponent(folder).appendingPathComponent("main.swift"),
                encoding: .utf8)
            let cases = FuzzTarget.allCases.filter { main.contains("FuzzTarget.\($0.rawValue).fuzzOne(") }
            #expect(cases.count == 1, "Fuzz/\(folder)/main.swift calls \(cases)")
            called += cases.map(\.rawValue)
        }
        #expect(called.sorted() == FuzzTarget.allCases.map(\.rawValue).sorted())
    }

    // MARK: The checks bite: broken scrubbers and verifiers are caught.

    @Test func catchesAScrubberWhoseOutputDependsOnThePieces() {
        let probe = MediaProbe(format: .gif, entry: .init(PieceCountingScrubber.self, AcceptingVerifier.self))
        expectViolation(probe, containing: "fed in pieces")
    }

    @Test func catchesAnOutputTheVerifierRefuses() {
        let probe = MediaProbe(format: .gif, entry: .init(CopyingScrubber.self, RefusingVerifier.self))
        expectViolation(probe, containing: "verifier refused")
    }

    @Test func catchesAScrubberThatIsNotAFixedPoint() {
        let probe = MediaProbe(format: .gif, entry: .init(GrowingScrubber.self, AcceptingVerifier.self))
        expectViolation(probe, containing: "again")
    }

    @Test func acceptsAnExactScrubber() {
        let probe = MediaProbe(format: .gif, entry: .init(CopyingScrubber.self, AcceptingVerifier.self))
        let input = Array("GIF89a and some bytes".utf8)
        let result = input.withUnsafeBytes { raw in Result { () throws(FuzzViolation) in try probe.check(raw) } }
        #expect(throws: Never.self) { try result.get() }
    }

    private func expectViolation(_ probe: MediaProbe, containing text: String) {
        let input = Array("GIF89a and some bytes".utf8)
        let result = input.withUnsafeBytes { raw in Result { () throws(FuzzViolation) in try probe.check(raw) } }
        guard case .failure(let violation) = result else {
            Issue.record("no violation reported")
            return
        }
        #expect(violation.reason.contains(text), "\(violation.reason)")
    }
}

/// Copies its input: exact and idempotent.
struct CopyingScrubber: Scrubber {
    static let format = MediaFormat.gif
    init(options: ScrubOptions) {}
    mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        output.append(contentsOf: input)
    }
    mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary { ScrubSummary() }
}

/// Writes how many pieces it was fed: differs between whole and split feeding.
struct PieceCountingScrubber: Scrubber {
    static let format = MediaFormat.gif
    var pieces = 0
    init(options: ScrubOptions) {}
    mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        pieces += 1
    }
    mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        output.append(UInt8(truncatingIfNeeded: pieces))
        return ScrubSummary()
    }
}

/// Appends a byte every time: stable under splitting, but never a fixed point.
struct GrowingScrubber: Scrubber {
    static let format = MediaFormat.gif
    init(options: ScrubOptions) {}
    mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        output.append(contentsOf: input)
    }
    mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        output.append(0)
        return ScrubSummary()
    }
}

struct AcceptingVerifier: OutputVerifier {
    static let format = MediaFormat.gif
    init(options: ScrubOptions) {}
    mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) {}
    mutating func finish() throws(RedactionError) {}
}

struct RefusingVerifier: OutputVerifier {
    static let format = MediaFormat.gif
    init(options: ScrubOptions) {}
    mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) {}
    mutating func finish() throws(RedactionError) { throw .empty }
}
