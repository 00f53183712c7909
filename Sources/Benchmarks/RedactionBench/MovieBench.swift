import Foundation
import TiplinePolicy
import TiplineRedaction

#if canImport(Glibc)
    import Glibc
#endif

/// The movie half of RedactionBench: one phone-like MP4 (`MovieFixture`, moov last, 1 GiB unless
/// `TIPLINE_BENCH_MOVIE_MB` says otherwise) scrubbed by Tipline's `Redactor` in process against
/// a plain copy of its bytes (the floor), `ffmpeg -c copy` dropping all but video and audio
/// (what an agency might script), and `exiftool -all=`. Interleaved rounds, medians.
/// Goals: Tipline/copy ≤ 1.5×, ffmpeg/Tipline ≥ 2×, judged on CPU time like the JPEG half
/// (the machine is shared); wall time is printed beside it.
enum MovieBench {
    static let pieceSize = 256 * 1024

    static func run(mebibytes: Int, rounds: Int, fixtures: URL, scratch: URL) throws {
        let missing = ["ffmpeg", "ffprobe", "exiftool"].filter { !Measure.available($0) }
        guard missing.isEmpty else {
            print("RedactionBench movie: skipped, \(missing.joined(separator: " and ")) not installed")
            return
        }
        let loadAtStart = loadAverage()
        FileHandle.standardError.write(Data("making a \(mebibytes) MiB phone-like MP4 (ffmpeg; not timed)\n".utf8))
        let movie = try MovieFixture.make(mebibytes: mebibytes, in: fixtures)
        let bytes = try MovieFixture.fileSize(movie)
        let mib = Double(bytes) / 1_048_576
        let out = scratch.appendingPathComponent("movie-out", isDirectory: true)
        try? FileManager.default.removeItem(at: out)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let spoolDirectory = scratch.appendingPathComponent("movie-spool", isDirectory: true)
        try FileManager.default.createDirectory(at: spoolDirectory, withIntermediateDirectories: true)
        let fileSpool = SpoolMaker { () throws(RedactionError) -> any ScrubSpool in
            try PlainFileSpool(directory: spoolDirectory)
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 16)
        defer { buffer.deallocate() }
        func target(_ name: String) -> String { out.appendingPathComponent("\(name).mp4").path }

        // Once, untimed (and warming the page cache for everyone): the output must be real.
        let check = target("check")
        let report = try tipline(movie, to: check, spool: .memory, buffer: buffer)
        let streams = try ffprobeStreams(check)
        guard report.kept.contains(.video), report.kept.contains(.audio), report.bytesOut > 0,
            streams == ["video", "audio"]
        else {
            throw BenchError("Tipline's movie output is not video + audio: kept \(report.kept), ffprobe \(streams)")
        }
        let removed = report.removed.map(\.rawValue).joined(separator: ", ")
        let checkBytes = report.bytesOut
        try? FileManager.default.removeItem(atPath: check)

        let contenders: [(String, () throws -> Timing)] = [
            ("copy", { try Measure.inProcess { try copy(movie, to: target("copy"), buffer: buffer) } }),
            ("tipline", { try Measure.inProcess { _ = try tipline(movie, to: target("tipline"), spool: .memory, buffer: buffer) } }),
            ("file spool", { try Measure.inProcess { _ = try tipline(movie, to: target("spooled"), spool: fileSpool, buffer: buffer) } }),
            (
                "ffmpeg",
                {
                    try Measure.child([
                        "ffmpeg", "-v", "error", "-y", "-i", movie, "-map", "0:v", "-map", "0:a", "-map_metadata", "-1",
                        "-c", "copy", target("ffmpeg"),
                    ])
                }
            ),
            ("exiftool", { try Measure.child(["exiftool", "-q", "-q", "-all=", "-o", target("exiftool"), movie]) }),
        ]
        var runs: [String: [Timing]] = [:]
        for round in 0..<rounds {
            // Interleaved as in the JPEG half; each output is deleted (untimed) once measured, so
            // the disk holds one at a time and its dirty pages are dropped rather than written.
            for k in 0..<contenders.count {
                let (name, run) = contenders[(round + k) % contenders.count]
                runs[name, default: []].append(try run())
                for file in try FileManager.default.contentsOfDirectory(atPath: out.path) {
                    try FileManager.default.removeItem(atPath: out.appendingPathComponent(file).path)
                }
            }
            FileHandle.standardError.write(Data("movie round \(round + 1)/\(rounds) done\n".utf8))
        }
        let median = runs.mapValues(Measure.median)
        let rows: [(String, String)] = [
            ("copy", "plain copy (read + write, 256 KiB)"),
            ("tipline", "Tipline Redactor (256 KiB pieces, verified)"),
            ("file spool", "  the same, plain file spool (not encrypted)"),
            ("ffmpeg", "ffmpeg -map 0:v -map 0:a -c copy"),
            ("exiftool", "exiftool -all= -o OUT IN"),
        ]

        print(
            "RedactionBench movie: \(String(format: "%.0f", mib)) MiB MP4 (H.264 1080p30 lossless + AAC, moov last,"
                + " QuickTime keys, mov_text + timecode tracks); median of \(rounds) rounds"
        )
        print("  load average at start: \(loadAtStart); at end: \(loadAverage())")
        print("  Tipline output: \(checkBytes) bytes, ffprobe streams: \(streams.joined(separator: ", ")); removed: \(removed)")
        print("  \(pad("", 46))  \(pad("wall s", 8))  \(pad("CPU s", 8))  \(pad("MiB/s wall", 10))  MiB/s CPU")
        for (key, label) in rows {
            let t = median[key]!
            print(
                "  \(pad(label, 46))  \(pad(f3(t.wall), 8))  \(pad(f3(t.cpu), 8))  \(pad(f0(mib / t.wall), 10))  \(f0(mib / t.cpu))"
            )
        }
        let (floor, tip, spooled, ffmpeg, exif) =
            (median["copy"]!, median["tipline"]!, median["file spool"]!, median["ffmpeg"]!, median["exiftool"]!)
        print(
            "  movie \(f0(mib)) MiB (wall): copy \(f2(floor.wall)) s, tipline \(f2(tip.wall)) s (\(f2(tip.wall / floor.wall))x copy),"
                + " ffmpeg -c copy \(f2(ffmpeg.wall)) s (tipline \(f2(ffmpeg.wall / tip.wall))x faster),"
                + " exiftool \(f2(exif.wall)) s (\(f2(exif.wall / tip.wall))x tipline)"
        )
        print(
            "  movie \(f0(mib)) MiB (CPU):  copy \(f2(floor.cpu)) s, tipline \(f2(tip.cpu)) s (\(f2(tip.cpu / floor.cpu))x copy),"
                + " ffmpeg -c copy \(f2(ffmpeg.cpu)) s (tipline \(f2(ffmpeg.cpu / tip.cpu))x faster),"
                + " exiftool \(f2(exif.cpu)) s (\(f2(exif.cpu / tip.cpu))x tipline)"
        )
        let overCopy = (cpu: tip.cpu / floor.cpu, wall: tip.wall / floor.wall)
        let ffmpegOver = (cpu: ffmpeg.cpu / tip.cpu, wall: ffmpeg.wall / tip.wall)
        print(
            "  goal Tipline / copy <= 1.5x:   \(f2(overCopy.cpu))x CPU \(verdict(overCopy.cpu <= 1.5)),"
                + " \(f2(overCopy.wall))x wall \(verdict(overCopy.wall <= 1.5))"
        )
        print(
            "  goal ffmpeg / Tipline >= 2x:   \(f2(ffmpegOver.cpu))x CPU \(verdict(ffmpegOver.cpu >= 2)),"
                + " \(f2(ffmpegOver.wall))x wall \(verdict(ffmpegOver.wall >= 2))"
        )
        print(
            "  file spool / memory spool   =  \(f2(spooled.cpu / tip.cpu))x CPU, \(f2(spooled.wall / tip.wall))x wall"
                + "  (intake's EncryptedFileSpool lives in TipIntake, which RedactionBench does not link)"
        )
    }

    /// Reads `path` in 256 KiB pieces, scrubs them through one session, writes what it releases
    /// and then the rebuilt movie `finish` emits; the verifier must pass or this throws.
    static func tipline(
        _ path: String, to output: String, spool: SpoolMaker, buffer: UnsafeMutableRawBufferPointer
    ) throws -> RedactionReport {
        var session = Redactor(policy: RedactionPolicy(), spool: spool).makeSession()
        var report: RedactionReport?
        var writeFailed = false
        try FileIO.stream(
            path, to: output, buffer: buffer,
            end: { write in
                report = try session.finish { (piece) throws(RedactionError) in
                    guard !writeFailed else { return }
                    do { try write(piece) } catch { writeFailed = true }
                }
            }
        ) { piece, write in
            let clean = try session.consume(piece)
            try clean.withUnsafeBytes { try write($0) }
        }
        guard !writeFailed else { throw BenchError("write failed on \(output)") }
        return report!
    }

    /// The floor: the same reads and writes with nothing in between.
    static func copy(_ path: String, to output: String, buffer: UnsafeMutableRawBufferPointer) throws {
        try FileIO.stream(path, to: output, buffer: buffer) { piece, write in try write(piece) }
    }

    /// The codec types of the streams ffprobe finds in `path`, in order.
    static func ffprobeStreams(_ path: String) throws -> [String] {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { throw BenchError("ffprobe failed on \(path)") }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "unknown"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private static func verdict(_ met: Bool) -> String { met ? "MET" : "MISSED" }
    private static func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
    private static func f0(_ x: Double) -> String { String(format: "%.0f", x) }
    private static func f2(_ x: Double) -> String { String(format: "%.2f", x) }
    private static func f3(_ x: Double) -> String { String(format: "%.3f", x) }
}

/// A spool in an unlinked temporary file, unencrypted: what spooling to disk costs without the
/// cipher. A diagnosis beside the memory spool, not what intake runs.
final class PlainFileSpool: ScrubSpool {
    private let fd: Int32
    private var readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
    private(set) var count = 0

    init(directory: URL) throws(RedactionError) {
        let path = directory.appendingPathComponent(".spool-\(UUID().uuidString)").path
        fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .spoolFailed(reason: "cannot create a temporary file (errno \(errno))") }
        unlink(path)
    }

    deinit {
        close(fd)
        readBuffer.deallocate()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(count + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .spoolFailed(reason: "write failed (errno \(errno))") }
            done += n
        }
        count += bytes.count
    }

    func read(at offset: Int, count n: Int, into buffer: inout [UInt8]) throws(RedactionError) {
        precondition(offset >= 0 && n >= 0 && offset <= count - n, "spool read out of range")
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: n))
        let fd = self.fd
        let failed = buffer.withUnsafeMutableBytes { raw in !Self.readAll(fd, raw, at: offset) }
        if failed { throw .spoolFailed(reason: "read failed (errno \(errno))") }
    }

    /// Reads into one reused buffer instead of zero-filling an array first, as the memory
    /// spool lends its blocks: this spool is a diagnosis of disk cost, not of `read(into:)`.
    func withBytes<R>(
        at offset: Int, count n: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws(RedactionError) -> R
    ) throws(RedactionError) -> R {
        precondition(offset >= 0 && n >= 0 && offset <= count - n, "spool read out of range")
        if readBuffer.count < n {
            readBuffer.deallocate()
            readBuffer = .allocate(byteCount: n, alignment: 16)
        }
        let target = UnsafeMutableRawBufferPointer(rebasing: readBuffer[0..<n])
        guard Self.readAll(fd, target, at: offset) else { throw .spoolFailed(reason: "read failed (errno \(errno))") }
        return try body(UnsafeRawBufferPointer(target))
    }

    private static func readAll(_ fd: Int32, _ raw: UnsafeMutableRawBufferPointer, at offset: Int) -> Bool {
        var done = 0
        while done < raw.count {
            let got = pread(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            done += got
        }
        return true
    }
}
