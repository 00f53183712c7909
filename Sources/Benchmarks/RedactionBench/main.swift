// RedactionBench: Tipline's in-process Redactor against a plain copy of the same bytes (the
// floor) and against `exiftool -all=` (what an agency would otherwise run), plus mat2 when it is
// installed. Run with `make bench` (release). Options: --files N (50), --rounds N (5),
// --fixtures DIR (reuse or create the JPEGs, and the movie, there instead of a temporary
// directory), --no-mat2, --skip-movie, --movie-only, --movie-rounds N (3); the movie's size in MiB
// comes from TIPLINE_BENCH_MOVIE_MB (1024). See MovieBench.swift for the movie half.
// Goals: Tipline/copy ≤ 1.5×, exiftool/Tipline ≥ 3×, both on CPU time (the machine is shared).
import Foundation

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let fileCount = option("--files").flatMap(Int.init) ?? 50
let rounds = option("--rounds").flatMap(Int.init) ?? 5
let withMat2 = !arguments.contains("--no-mat2") && Measure.available("mat2")
let movieRounds = option("--movie-rounds").flatMap(Int.init) ?? 3
let movieMebibytes = ProcessInfo.processInfo.environment["TIPLINE_BENCH_MOVIE_MB"].flatMap(Int.init) ?? 1024

let fm = FileManager.default
let scratch = fm.temporaryDirectory.appendingPathComponent("redaction-bench-\(UUID().uuidString.prefix(8))", isDirectory: true)
let fixtureRoot = option("--fixtures").map { URL(fileURLWithPath: $0, isDirectory: true) } ?? scratch.appendingPathComponent("in")
defer { try? fm.removeItem(at: scratch) }

func fresh(_ name: String) throws -> URL {
    let url = scratch.appendingPathComponent(name, isDirectory: true)
    try? fm.removeItem(at: url)
    try fm.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
func f3(_ x: Double) -> String { String(format: "%.3f", x) }
func f2(_ x: Double) -> String { String(format: "%.2f", x) }

do {
    if !arguments.contains("--movie-only") {
        for tool in ["convert", "exiftool"] where !Measure.available(tool) {
            throw BenchError("\(tool) is not installed (scripts/install-deps.sh installs it)")
        }
        FileHandle.standardError.write(Data("making \(fileCount) camera-size JPEGs (ImageMagick + exiftool; not timed)\n".utf8))
        let fixtures = try Fixtures.make(count: fileCount, in: fixtureRoot)
        let megabytes = Double(fixtures.totalBytes) / 1e6
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileIO.pieceSize, alignment: 16)
        defer { buffer.deallocate() }

        let inMemory = try fixtures.files.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let contenders: [(String, () throws -> Timing)] =
            [
                ("copy", { try Contenders.copy(fixtures.files, out: try fresh("copy"), buffer: buffer) }),
                ("tipline", { try Contenders.tipline(fixtures.files, out: try fresh("tipline"), buffer: buffer) }),
                ("memory", { try Contenders.inMemory(inMemory) }),
                ("exiftool", { try Contenders.exiftool(fixtures.files, out: try fresh("exiftool")) }),
            ] + (withMat2 ? [("mat2", { try Contenders.mat2(fixtures.files, out: try fresh("mat2")) })] : [])
        var runs: [String: [Timing]] = [:]
        for round in 0..<rounds {
            // Interleaved, each round starting with the next contender, so a burst of load from
            // other users (or the page cache's writeback) lands on every contender alike.
            for k in 0..<contenders.count {
                let (name, run) = contenders[(round + k) % contenders.count]
                runs[name, default: []].append(try run())
            }
            FileHandle.standardError.write(Data("round \(round + 1)/\(rounds) done\n".utf8))
        }
        let median = runs.mapValues(Measure.median)
        let rows: [(String, String)] =
            [
                ("copy", "plain copy (read + write, 64 KiB)"),
                ("tipline", "Tipline Redactor (64 KiB pieces, verified)"),
                ("memory", "  the same, files in memory, no file I/O"),
                ("exiftool", "exiftool -all= -o DIR (one process)"),
            ] + (withMat2 ? [("mat2", "mat2 (one process)")] : [])

        print("RedactionBench: \(fileCount) JPEGs 3000x2000 q92, \(String(format: "%.1f", megabytes)) MB in all; median of \(rounds) rounds")
        print("  \(pad("", 44))  \(pad("wall s", 8))  \(pad("CPU s", 8))  MB/s (CPU)")
        for (key, label) in rows {
            let t = median[key]!
            print("  \(pad(label, 44))  \(pad(f3(t.wall), 8))  \(pad(f3(t.cpu), 8))  \(String(format: "%.0f", megabytes / t.cpu))")
        }
        let (tip, copy, exif) = (median["tipline"]!, median["copy"]!, median["exiftool"]!)
        let overCopy = tip.cpu / copy.cpu
        let exifOver = exif.cpu / tip.cpu
        print(
            "  Tipline / copy      = \(f2(overCopy))x CPU, \(f2(tip.wall / copy.wall))x wall  (goal <= 1.5x on CPU: \(overCopy <= 1.5 ? "met" : "MISSED"))"
        )
        print(
            "  exiftool / Tipline  = \(f2(exifOver))x CPU, \(f2(exif.wall / tip.wall))x wall  (goal >= 3x on CPU: \(exifOver >= 3 ? "met" : "MISSED"))"
        )
        if withMat2, let m = median["mat2"] {
            print("  mat2 / Tipline      = \(f2(m.cpu / tip.cpu))x CPU, \(f2(m.wall / tip.wall))x wall  (mat2 re-encodes JPEG pixels)")
        }
    }
    if !arguments.contains("--skip-movie") {
        try MovieBench.run(mebibytes: movieMebibytes, rounds: movieRounds, fixtures: fixtureRoot, scratch: scratch)
    }
} catch {
    FileHandle.standardError.write(Data("RedactionBench: error: \(error)\n".utf8))
    exit(1)
}
