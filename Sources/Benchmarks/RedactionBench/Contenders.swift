import Foundation
import TiplinePolicy
import TiplineRedaction

/// The ways of getting a clean copy of the same files that the bench races against each other.
/// Each writes one output per input into `out` (a fresh, empty directory) and returns its timing.
enum Contenders {
    /// Tipline's `Redactor`, in process: read 64 KiB, scrub it through the session, write what it
    /// released in 64 KiB blocks; at the end the verifier's `finish` must pass or the run fails.
    static func tipline(_ files: [String], out: URL, buffer: UnsafeMutableRawBufferPointer) throws -> Timing {
        let redactor = Redactor(policy: RedactionPolicy())
        let blocks = BlockWriter()
        var written = 0
        let timing = try Measure.inProcess {
            for file in files {
                var session = redactor.makeSession()
                let target = out.appendingPathComponent((file as NSString).lastPathComponent).path
                try FileIO.stream(
                    file, to: target, buffer: buffer, blocks: blocks,
                    end: { write in
                        let (tail, _) = try session.finish()
                        written += tail.count
                        try tail.withUnsafeBytes { try write($0) }
                    }
                ) { piece, write in
                    let clean = try session.consume(piece)
                    written += clean.count
                    try clean.withUnsafeBytes { try write($0) }
                }
            }
        }
        guard written > 0 else { throw BenchError("Tipline wrote nothing") }
        return timing
    }

    /// The scrubbing alone: the same sessions over files already in memory, output discarded.
    /// Not a goal, a diagnosis: how much of the Tipline figure is Tipline and how much is I/O.
    static func inMemory(_ files: [[UInt8]]) throws -> Timing {
        let redactor = Redactor(policy: RedactionPolicy())
        var released = 0
        let timing = try Measure.inProcess {
            for file in files {
                var session = redactor.makeSession()
                try file.withUnsafeBytes { all in
                    var offset = 0
                    while offset < all.count {
                        let end = min(offset + FileIO.pieceSize, all.count)
                        released += try session.consume(UnsafeRawBufferPointer(rebasing: all[offset..<end])).count
                        offset = end
                    }
                }
                released += try session.finish().tail.count
            }
        }
        guard released > 0 else { throw BenchError("Tipline released nothing") }
        return timing
    }

    /// The floor: the same reads and writes with nothing in between.
    static func copy(_ files: [String], out: URL, buffer: UnsafeMutableRawBufferPointer) throws -> Timing {
        try Measure.inProcess {
            for file in files {
                try FileIO.stream(file, to: out.appendingPathComponent((file as NSString).lastPathComponent).path, buffer: buffer) {
                    piece, write in try write(piece)
                }
            }
        }
    }

    /// `exiftool -all= -o OUT/ FILES…`: one process for the whole batch, as an agency would run it.
    static func exiftool(_ files: [String], out: URL) throws -> Timing {
        try Measure.child(["exiftool", "-q", "-all=", "-o", out.path + "/"] + files)
    }

    /// `mat2 FILES…` on copies in `out` (the copying is not timed); mat2 writes `*.cleaned.jpg` beside them.
    static func mat2(_ files: [String], out: URL) throws -> Timing {
        let copies = try files.map { file -> String in
            let target = out.appendingPathComponent((file as NSString).lastPathComponent).path
            try FileManager.default.copyItem(atPath: file, toPath: target)
            return target
        }
        return try Measure.child(["mat2"] + copies)
    }
}
