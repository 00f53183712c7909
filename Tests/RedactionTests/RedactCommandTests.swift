import Foundation
import Testing

/// Golden tests of `tipintake redact`: stdout, stderr, exit status and what lands on disk.
/// They run the binary `swift build --build-tests` puts beside the test bundle.
@Suite struct RedactCommandTests {
    static let binary: URL? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [dir, dir.deletingLastPathComponent(), Corpus.repo.appendingPathComponent(".build/debug")]
        return candidates.map { $0.appendingPathComponent("tipintake") }.first {
            FileManager.default.isExecutableFile(atPath: $0.path)
        }
    }()

    struct Run {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    static func run(_ args: [String], stdin: [UInt8]? = nil) throws -> Run {
        let p = Process()
        p.executableURL = binary!
        p.arguments = ["redact"] + args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin))
            try input.fileHandleForWriting.close()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: [UInt8](o), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func scrubsAFileAndPrintsTheJSONReport() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let input = try scratch.write("in.jpg", try JPEGFixture.planted(in: scratch))
        let r = try Self.run([input, "-o", scratch.path("out.jpg"), "--json"])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        let json = String(decoding: r.stdout, as: UTF8.self)
        #expect(json.contains("\"format\":\"jpeg\"") && json.contains("\"kept\":[\"color-profile\",\"orientation\"]"))
        let output = try scratch.read("out.jpg")
        #expect(Oracle.canariesFound(in: output) == [])
        // Nothing else was left in the folder: no temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasPrefix(".") } == [])
    }

    @Test func refusedFileGivesOneLineExitOneAndNoOutput() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let input = try scratch.write("notes\u{1B}[31m.jpg", Array("This is a text file named .jpg\n".utf8))
        let r = try Self.run([input, "-o", scratch.path("out.jpg")])
        #expect(r.status == 1)
        #expect(r.stdout == [])
        let clean = input.replacingOccurrences(of: "\u{1B}", with: "")
        #expect(
            r.stderr
                == "tipintake: error: \(clean): not a supported photo, video or voice recording (photos: JPEG, PNG, WebP, GIF, HEIC/AVIF, TIFF; videos: MP4, MOV, 3GP, WebM, MKV; audio: M4A, MP3, WAV, FLAC, Ogg/Opus); the file was not stored\n"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["notes\u{1B}[31m.jpg"])
    }

    @Test func truncatedPictureIsRefusedWithItsOffset() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let jpeg = try JPEGFixture.base(in: scratch)
        let input = try scratch.write("cut.jpg", Array(jpeg.prefix(500)))
        let r = try Self.run([input, "-o", scratch.path("out.jpg")])
        #expect(r.status == 1)
        #expect(r.stderr == "tipintake: error: \(input): JPEG ends early at byte 500; the upload may be incomplete, try again\n")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.jpg")))
    }

    @Test func existingOutputIsNotOverwrittenWithoutForce() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let input = try scratch.write("in.gif", try GIFFixture.planted(in: scratch))
        let out = try scratch.write("out.gif", [1, 2, 3])
        let r = try Self.run([input, "-o", out])
        #expect(r.status == 2)
        #expect(r.stderr == "tipintake: error: \(out): already exists; choose another name or pass --force\n")
        #expect(try scratch.read("out.gif") == [1, 2, 3])
        let forced = try Self.run([input, "-o", out, "--force"])
        #expect(forced.status == 0)
        #expect(String(decoding: forced.stdout, as: UTF8.self).hasPrefix("tipintake: \(input): gif scrubbed and verified, removed "))
        #expect(try scratch.read("out.gif") == (try GIFFixture.base(in: scratch, name: "again")))
    }

    @Test func forceNeverReplacesADeviceNodeOrASymlink() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let input = try scratch.write("in.gif", try GIFFixture.planted(in: scratch))
        // A FIFO stands in for /dev/null: the same "not a regular file", and a regression
        // cannot damage the machine's real device node.
        let fifo = scratch.path("device")
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try Self.run([input, "-o", fifo, "--force"])
        #expect(r.status == 2)
        #expect(r.stderr == "tipintake: error: \(fifo): is not a regular file; write to a regular file, or to `-` for standard output\n")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is still a FIFO")
        let target = try scratch.write("target.gif", [9, 9])
        let link = scratch.path("link.gif")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(try Self.run([input, "-o", link, "--force"]).status == 2)
        #expect(try scratch.read("target.gif") == [9, 9])
    }

    @Test func stdinToStdoutWithReportOnStderr() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let png = try PNGFixture.planted(in: scratch)
        let r = try Self.run(["-", "-o", "-", "--json"], stdin: png)
        #expect(r.status == 0)
        #expect(PNGFixture.chunks(r.stdout).first?.type == "IHDR")
        #expect(Oracle.canariesFound(in: r.stdout) == [])
        #expect(r.stderr.hasPrefix("{\"bytes_in\":\(png.count),"))
        let refused = try Self.run(["-", "-o", "-"], stdin: Array(png.prefix(100)))
        #expect(refused.status == 1)
        #expect(refused.stdout == [])
        #expect(refused.stderr == "tipintake: error: -: PNG ends early at byte 100; the upload may be incomplete, try again\n")
    }

    @Test func badPolicyFileIsNamed() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let policy = try scratch.write("p.yaml", Array("redaction: {keep_orientaton: true}\n".utf8))
        let r = try Self.run(["x.jpg", "-o", scratch.path("o.jpg"), "--policy", policy])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("tipintake: error: \(policy): unknown policy key `redaction.keep_orientaton`"))
    }

    @Test func keepLocationOptInReachesTheScrubber() throws {
        guard Self.binary != nil else { return print("skipped: tipintake binary not built") }
        let scratch = try Scratch()
        let input = try scratch.write(
            "gps.jpg", JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.exif(.planted(orientation: 1))]))
        let r = try Self.run([input, "-o", scratch.path("out.jpg"), "--json", "--keep-location"])
        #expect(r.status == 0)
        #expect(String(decoding: r.stdout, as: UTF8.self).contains("\"kept\":[\"location\"]"))
        #expect(try Tools.exiftool(scratch.path("out.jpg"))["GPS:GPSLatitudeRef"] == "N")
    }
}
