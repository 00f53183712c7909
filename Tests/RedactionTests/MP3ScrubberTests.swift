import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// MP3: tags anywhere are dropped, the frames come out byte for byte (decoded audio identical
/// by ffmpeg's MD5), the output verifies and re-scrubs to itself; broken files are refused.
@Suite struct MP3ScrubberTests {
    let redactor = Redactor(policy: RedactionPolicy())

    @Test func everyKindOfTagIsDroppedAndTheAudioIsUnchanged() throws {
        let scratch = try Scratch()
        let ref = try MP3OggFixtures.ffmpegMP3(scratch)
        let input = MP3OggFixtures.withTailTags(try FormatsSupport.read(URL(fileURLWithPath: ref)))
        let (output, report) = try redactor.redact(input)
        for canary in MP3OggFixtures.canaries { #expect(!MP3OggFixtures.contains(output, canary), "\(canary) survived") }
        #expect(!MP3OggFixtures.contains(Array(output.prefix(400)), "LAME3."), "encoder version survived in the Info frame")
        #expect(Set(report.removed).isSuperset(of: [.authorship, .comment, .thumbnail, .timestamps, .editing, .other]))
        #expect(Set(report.kept) == [.audio])
        let out = try scratch.write("out.mp3", output)
        let tags = try Tools.exiftool(out)
        let leaked = tags.keys.filter { key in ["ID3", "APE", "Lyrics3"].contains { key.hasPrefix($0) } }
        #expect(leaked.isEmpty, "exiftool still reads \(leaked.sorted())")
        #expect(!tags.values.contains { $0.contains("CANARY") })
        let md5 = try MP3OggFixtures.audioMD5(ref)
        #expect(md5.hasPrefix("MD5="))
        #expect(try MP3OggFixtures.audioMD5(out) == md5)
        #expect(try MP3OggFixtures.decodeErrors(out) == "")
        // The output is already clean: a second pass changes nothing.
        #expect(try redactor.redact(output).output == output)
    }

    @Test func pieceSizesDoNotChangeTheOutput() throws {
        let scratch = try Scratch()
        let input = MP3OggFixtures.withTailTags(try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegMP3(scratch, seconds: "0.5"))))
        let whole = try redactor.redact(input)
        #expect(try redactInPieces(input, sizes: [1]).output == whole.output)
        var rng = SeededGenerator(state: 3)
        let sizes = (0..<64).map { _ in Int.random(in: 1...700, using: &rng) }
        let pieces = try redactInPieces(input, sizes: sizes)
        #expect(pieces.output == whole.output)
        #expect(pieces.report == whole.report)
    }

    @Test func theXingFrameKeepsGaplessInfoButLosesTheEncoderVersion() throws {
        let scratch = try Scratch()
        let ref = try MP3OggFixtures.ffmpegMP3(scratch, seconds: "0.5")
        let input = try FormatsSupport.read(URL(fileURLWithPath: ref))
        let inputHasVersion = MP3OggFixtures.contains(input, "LAME3.")
        #expect(inputHasVersion)
        let output = try redactor.redact(input).output
        // The first frame is the Info frame; LAME also fills audio frames' ancillary bits with
        // its name, which is part of those frames and stays (see MP3Scrubber).
        let first = Array(output.prefix(MPEGAudioFrameHeader(output[0], output[1], output[2], output[3])!.length))
        let hasInfo = MP3OggFixtures.contains(first, "Info") || MP3OggFixtures.contains(first, "Xing")
        let hasVersion = MP3OggFixtures.contains(first, "LAME3.")
        #expect(hasInfo)
        #expect(!hasVersion)
        let out = try scratch.write("out.mp3", output)
        #expect(try MP3OggFixtures.audioMD5(out) == MP3OggFixtures.audioMD5(ref))
    }

    @Test func everyTruncationIsRefusedOrGivesAVerifiedOutput() throws {
        let scratch = try Scratch()
        let input = MP3OggFixtures.withTailTags(
            try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegMP3(scratch, seconds: "0.1", rate: "8000"))))
        var truncated = 0
        for cut in 1..<input.count {
            do {
                let (output, _) = try redactor.redact(Array(input[0..<cut]))
                for canary in MP3OggFixtures.canaries { #expect(!MP3OggFixtures.contains(output, canary)) }
            } catch {
                if case .truncated = error { truncated += 1 }
            }
        }
        #expect(truncated > input.count / 2)
    }

    @Test func brokenFilesAreRefusedWithTypedErrors() throws {
        let scratch = try Scratch()
        let mp3 = try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegMP3(scratch, seconds: "0.3")))
        let frames = try redactor.redact(mp3).output
        // An ID3v2 tag whose size runs past the end of the file, after the frames.
        let id3 = Array("ID3".utf8) + [3, 0, 0] + MP3OggFixtures.syncsafe(5000) + Array("TPE1".utf8)
        if case .truncated(.mp3, _)? = refusal(frames + id3) {} else { Issue.record("ID3 past EOF was not refused as truncated") }
        // Frame headers only: every frame runs past the end.
        #expect(refusal([0xFF, 0xFB, 0x90, 0x64, 1, 2, 3]) == .truncated(.mp3, offset: 7))
        // Free-format bitrate: the sniffer already refuses it.
        #expect(refusal([0xFF, 0xFB, 0x00, 0x64] + [UInt8](repeating: 0, count: 400)) == .unsupportedFormat)
        // A sync word followed by noise that never chains.
        var rng = SeededGenerator(state: 9)
        let noise = [0xFF, 0xFB, 0x90, 0x64] + (0..<3000).map { _ in UInt8.random(in: 0...0xFE, using: &rng) }
        #expect(refusal(noise) != nil)
        // A second stream at another sample rate.
        let other = try redactor.redact(
            try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegMP3(scratch, seconds: "0.3", rate: "48000", name: "b.mp3")))
        ).output
        if case .unsupportedLayout(.mp3, _)? = refusal(frames + [0x00, 0x11] + other) {
        } else {
            Issue.record("a change of sample rate was not refused")
        }
    }

    @Test func mutatedFilesGiveATypedErrorOrACleanVerifiedOutput() throws {
        let scratch = try Scratch()
        let input = MP3OggFixtures.withTailTags(
            try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegMP3(scratch, seconds: "0.2", rate: "8000"))))
        var mutator = FormatsMutator(seed: 41)
        for _ in 0..<400 {
            let mutated = mutator.mutate(input, window: input.count)
            guard let (output, _) = try? redactor.redact(mutated) else { continue }
            for canary in MP3OggFixtures.canaries { #expect(!MP3OggFixtures.contains(output, canary)) }
        }
    }

    @Test func garbageBetweenFramesIsDroppedAsOther() throws {
        let scratch = try Scratch()
        let frames = try MP3OggFixtures.cleanMP3(scratch)
        var split = 0
        for _ in 0..<5 { split += MPEGAudioFrameHeader(frames[split], frames[split + 1], frames[split + 2], frames[split + 3])!.length }
        let garbage = Array("CANARY-GARBAGE".utf8) + [0xFF, 0xFB, 0x90]
        let (output, report) = try redactor.redact(Array(frames[..<split]) + garbage + Array(frames[split...]))
        let same = output == frames
        #expect(same)
        #expect(report.removed.contains(.other))
    }

    @Test func theVerifierRejectsTagsAndEncoderStrings() throws {
        let scratch = try Scratch()
        let frames = try MP3OggFixtures.cleanMP3(scratch)
        try FormatsDrive.verify(MP3Verifier.self, frames)
        let v1 = Array("TAG".utf8) + Array("CANARY-TITLE".utf8) + [UInt8](repeating: 0, count: 113)
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MP3Verifier.self, frames + v1) }
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MP3Verifier.self, frames + MP3OggFixtures.apev2()) }
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MP3Verifier.self, MP3OggFixtures.id3v24WithFooter() + frames) }
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MP3Verifier.self, Array(frames.dropLast())) }
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MP3Verifier.self, []) }
        // Put the encoder version back into the Info frame.
        var named = frames
        let at = (0..<400).first { named[$0..<($0 + 4)].elementsEqual("LAME".utf8) || named[$0..<($0 + 4)].elementsEqual("Lavc".utf8) }
        let lame = try #require(at)
        named.replaceSubrange(lame..<(lame + 9), with: Array("LAME3.100".utf8))
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MP3Verifier.self, named) }
    }
}

@Suite struct MP3CorpusTests {
    @Test func everyCorpusMP3ScrubsCleanlyOrIsRefused() throws {
        let t = try AudioCorpusSweep.run("media/mp3", extensions: ["mp3"])
        print("corpus mp3: \(t)")
        for line in t.refusals { print("corpus mp3 refused: \(line)") }
        #expect(t.files == 0 || t.scrubbed > 0)
        // Refused today: three files whose last frame runs past the end of the file (mutagen cut
        // them short at 5120 or 8192 bytes; in id3v1v2-combined an ID3v1 tag then follows the cut).
        if t.files > 0 {
            #expect(t.refusals.map { String($0.prefix { $0 != ":" }) } == ["mut-id3v1v2-combined.mp3", "mut-id3v22-test.mp3", "mut-vbri.mp3"])
        }
    }
}
