import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct FLACScrubberTests {
    typealias F = WAVFLACFixtures
    let redactor = Redactor(policy: RedactionPolicy())

    @Test func commentsPictureAndPaddingAreRemovedAndFramesKept() throws {
        let scratch = try Scratch()
        let input = try F.flac(scratch)
        let bytes = try F.read(input)
        let (output, report) = try redactor.redact(bytes)
        #expect(try F.judge(input: input, output: output, format: .flac, scratch: scratch) == [])
        #expect(Set(report.removed) == [.authorship, .timestamps, .comment, .location, .thumbnail, .editing])
        #expect(report.kept == [.audio])
        let (blocks, frames) = F.flacBlocks(bytes)
        #expect(output == F.flacFile([blocks[0]], frames: bytes[frames...]))
    }

    @Test func seekTableIsKeptAndTheLastFlagMoves() throws {
        let scratch = try Scratch()
        let bytes = try F.read(try F.flac(scratch))
        var (blocks, frames) = F.flacBlocks(bytes)
        let placeholder = [UInt8](repeating: 0xFF, count: 8) + [UInt8](repeating: 0, count: 10)
        blocks.insert((3, placeholder), at: 2)
        blocks.append((2, Array("CANARYappCANARY-ARTIST".utf8)))
        let input = scratch.path("seek.flac")
        try F.write(F.flacFile(blocks, frames: bytes[frames...]), input)
        let (output, _) = try redactor.redact(try F.read(input))
        #expect(output == F.flacFile([blocks[0], (3, placeholder)], frames: bytes[frames...]))
        #expect(try F.judge(input: input, output: output, format: .flac, scratch: scratch) == [])
        // A "seek table" that does not read as one (a comment relabelled) is dropped; a
        // placeholder's undefined fields are zeroed.
        let fake = Array("CANARY-ARTIST-SEEK".utf8) + Array("CANARY-COMMENT-SEK".utf8)
        let dirtyPlaceholder = [UInt8](repeating: 0xFF, count: 8) + Array("CANARY-LOC".utf8)
        for (table, kept) in [(fake, [(UInt8, [UInt8])]()), (dirtyPlaceholder, [(3, placeholder)]), ([], [])] {
            let (out, _) = try redactor.redact(F.flacFile([blocks[0], (3, table)], frames: bytes[frames...]))
            #expect(out == F.flacFile([blocks[0]] + kept, frames: bytes[frames...]))
        }
        #expect(throws: RedactionError.self) {
            try FormatsDrive.verify(FLACVerifier.self, F.flacFile([blocks[0], (3, dirtyPlaceholder)], frames: bytes[frames...]))
        }
    }

    @Test func appendedID3v1AndLeadingID3v2TagsAreDropped() throws {
        let scratch = try Scratch()
        let bytes = try F.read(try F.flac(scratch))
        let id3v1 = Array("TAGCANARY-ARTIST".utf8) + [UInt8](repeating: 0x20, count: 112)
        let id3v2 = Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, 20] + Array("TPE1".utf8) + [0, 0, 0, 10, 0, 0] + Array("\0CANARY-AR".utf8)
        let input = scratch.path("tagged.flac")
        try F.write(id3v2 + bytes + id3v1, input)
        let (output, report) = try redactor.redact(try F.read(input))
        #expect(output == (try redactor.redact(bytes)).output)
        #expect(report.removed.contains(.trailer))
        #expect(try F.judge(input: input, output: output, format: .flac, scratch: scratch) == [])
    }

    @Test func onePieceOneByteAndRandomPiecesGiveTheSameOutput() throws {
        let scratch = try Scratch()
        let bytes = try F.read(try F.flac(scratch)) + Array("TAG".utf8) + [UInt8](repeating: 0, count: 125)
        let whole = try redactor.redact(bytes)
        #expect(try redactInPieces(bytes, sizes: [1]).output == whole.output)
        var rng = SeededGenerator(state: 11)
        let sizes = (0..<64).map { _ in Int.random(in: 1...900, using: &rng) }
        let pieces = try redactInPieces(bytes, sizes: sizes)
        #expect(pieces.output == whole.output)
        #expect(pieces.report == whole.report)
    }

    @Test func corpusFilesScrubCleanlyOrAreRefused() throws {
        let files = FormatsSupport.corpusFiles("media/flac", extensions: ["flac"])
        guard !files.isEmpty else {
            print("skipped: no FLAC corpus")
            return
        }
        let scratch = try Scratch()
        var scrubbed = 0, refused: [String] = [], leaks = 0, decodeChanges = 0
        for url in files {
            do {
                let (output, _) = try redactor.redact(try F.read(url.path))
                scrubbed += 1
                let problems = try F.judge(input: url.path, output: output, format: .flac, scratch: scratch, canaries: [])
                leaks += problems.filter { !$0.hasPrefix("decoded") }.count
                decodeChanges += problems.filter { $0.hasPrefix("decoded") }.count
                #expect(problems == [], "\(url.lastPathComponent)")
            } catch {
                refused.append(url.lastPathComponent)
                print("corpus flac refused: \(url.lastPathComponent): \(error)")
            }
        }
        print("corpus flac: files \(files.count), scrubbed \(scrubbed), refused \(refused.count), leaks \(leaks), decode changes \(decodeChanges)")
        // Both refusals are files broken on purpose (decodes=0 in the manifest).
        #expect(refused == ["mut-106-invalid-streaminfo.flac", "mut-52-overwritten-metadata.flac"])
    }
}

@Suite struct HostileFLACTests {
    typealias F = WAVFLACFixtures

    /// A small real FLAC (< 2 KB): 8 kHz, 50 ms, with its tags and cover.
    func small(_ scratch: Scratch) throws -> [UInt8] {
        try F.read(try F.flac(scratch, name: "small.flac", seconds: "0.05", rate: "8000"))
    }

    @Test func everyPrefixIsRefusedOrVerifies() throws {
        let scratch = try Scratch()
        let bytes = try small(scratch)
        let (blocks, start) = F.flacBlocks(bytes)
        let tiny = F.flacFile(blocks.filter { $0.type != 1 }, frames: bytes[start...])  // without the 8 KiB of PADDING
        let frames = tiny.count - (bytes.count - start)
        #expect(tiny.count < 2048)
        for cut in 1..<tiny.count {
            do {
                let (output, _) = try Redactor(policy: RedactionPolicy()).redact(Array(tiny[0..<cut]))
                try FormatsDrive.verify(FLACVerifier.self, output)
                #expect(cut > frames + 1, "accepted a prefix of \(cut) bytes")
            } catch {
                if cut >= 4 && cut != frames { #expect(error == .truncated(.flac, offset: cut), "cut \(cut): \(error)") }
            }
        }
        #expect(refusal(Array(tiny[0..<frames])) == .malformed(.flac, offset: frames, reason: "no audio frames after the metadata"))
    }

    @Test func framesStreamOutAsTheyArrive() throws {
        let scratch = try Scratch()
        let bytes = try F.read(try F.flac(scratch))
        let frames = F.flacBlocks(bytes).frames
        var session = Redactor(policy: RedactionPolicy()).makeSession()
        var out = try session.consume(Array(bytes[0..<(frames + 4096)]))
        #expect(out.count == 42 + 4096 - 128)  // marker and STREAMINFO, the frames less the held-back 128
        out += try session.consume(Array(bytes[(frames + 4096)...]))
        #expect(out + (try session.finish().tail) == Array(bytes[0..<4]) + [0x80] + bytes[5..<42] + bytes[frames...])
    }

    @Test func mutatedMetadataIsRefusedOrVerifies() throws {
        let scratch = try Scratch()
        let bytes = try small(scratch)
        var mutator = FormatsMutator(seed: 43)
        for _ in 0..<400 {
            let mutated = mutator.mutate(bytes, window: F.flacBlocks(bytes).frames + 4)
            guard let (output, _) = try? Redactor(policy: RedactionPolicy()).redact(mutated) else { continue }
            #expect(throws: Never.self) { try FormatsDrive.verify(FLACVerifier.self, output) }
            #expect(!String(decoding: output, as: Unicode.ASCII.self).contains("CANARY"))
        }
    }

    @Test func brokenStructuresAreTypedRefusals() throws {
        let scratch = try Scratch()
        let bytes = try small(scratch)
        let (blocks, frames) = F.flacBlocks(bytes)
        let audio = bytes[frames...]
        let info = blocks[0]
        #expect(
            refusal(F.flacFile([(4, [1, 2, 3]), info], frames: audio))
                == .malformed(.flac, offset: 4, reason: "first metadata block is not STREAMINFO"))
        #expect(
            refusal(F.flacFile([(0, Array(info.body.prefix(18)))], frames: audio))
                == .malformed(.flac, offset: 4, reason: "STREAMINFO of 18 bytes, not 34"))
        #expect(refusal(F.flacFile([info, info], frames: audio)) == .malformed(.flac, offset: 42, reason: "a second STREAMINFO"))
        #expect(refusal(F.flacFile([info, (127, [0])], frames: audio)) == .malformed(.flac, offset: 42, reason: "invalid metadata block type 127"))
        #expect(
            refusal(F.flacFile([info, (3, [0, 1, 2])], frames: audio))
                == .malformed(.flac, offset: 42, reason: "SEEKTABLE length is not a multiple of 18"))
        #expect(
            refusal(F.flacFile([info], frames: [0x12, 0x34] + audio))
                == .malformed(.flac, offset: 42, reason: "audio does not start with a FLAC frame sync"))
        let pastEOF = Array("fLaC".utf8) + F.block(0, info.body) + [0x84, 0x7F, 0xFF, 0xFF] + Array(repeating: 0, count: 100)
        #expect(refusal(pastEOF) == .truncated(.flac, offset: pastEOF.count))
        var zeroRate = info.body
        zeroRate[10] = 0
        zeroRate[11] = 0
        zeroRate[12] &= 0x0F
        #expect(refusal(F.flacFile([(0, zeroRate)], frames: audio)) == .malformed(.flac, offset: 4, reason: "STREAMINFO sample rate is 0"))
        #expect(refusal(Array("fLaC".utf8)) == .truncated(.flac, offset: 4))
    }

    @Test func verifierRejectsHandMadeBadOutputs() throws {
        let scratch = try Scratch()
        let bytes = try small(scratch)
        let (blocks, frames) = F.flacBlocks(bytes)
        let audio = bytes[frames...]
        let info = blocks[0]
        #expect(throws: Never.self) { try FormatsDrive.verify(FLACVerifier.self, F.flacFile([info], frames: audio)) }
        let twoLast = Array("fLaC".utf8) + F.block(0, info.body, last: true) + F.block(3, [UInt8](repeating: 0, count: 18), last: true) + audio
        let bad: [(String, [UInt8])] = [
            ("VORBIS_COMMENT", F.flacFile([info, (4, [0, 0, 0, 0, 0, 0, 0, 0])], frames: audio)),
            ("PICTURE", F.flacFile([info, (6, [0])], frames: audio)),
            ("no STREAMINFO first", F.flacFile([(3, [UInt8](repeating: 0, count: 18)), info], frames: audio)),
            ("ID3v1 at the end", F.flacFile([info], frames: audio + Array("TAG".utf8) + [UInt8](repeating: 0, count: 125))),
            ("two blocks flagged last", twoLast),
            ("no frames", F.flacFile([info], frames: [])),
            ("ID3 at start", Array("ID3".utf8) + F.flacFile([info], frames: audio)),
        ]
        for (name, b) in bad {
            #expect(throws: RedactionError.self, "\(name)") { try FormatsDrive.verify(FLACVerifier.self, b) }
        }
    }
}
