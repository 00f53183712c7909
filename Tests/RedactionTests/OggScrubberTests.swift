import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Ogg Opus and Vorbis: the comment header becomes the constant one, the other headers and
/// the audio pages stay (decoded audio identical by ffmpeg's MD5), the output verifies and
/// re-scrubs to itself; damaged and multi-stream files are refused.
@Suite struct OggScrubberTests {
    let redactor = Redactor(policy: RedactionPolicy())
    static let oggCanaries = ["CANARY-ARTIST", "CANARY-COMMENT", "CANARY-TITLE", "CANARY-LOCATION", "Q0FOQVJZLVBJQ1RVUkU", "CANARY-BIG"]

    @Test(arguments: [("libopus", 0), ("libvorbis", 0), ("libvorbis", 100_000), ("libopus", 70_000)])
    func commentsAreReplacedAndTheAudioIsUnchanged(codec: String, big: Int) throws {
        let scratch = try Scratch()
        let ref = try MP3OggFixtures.ffmpegOgg(scratch, codec: codec, bigComment: big, name: "in.ogg")
        let input = try FormatsSupport.read(URL(fileURLWithPath: ref))
        let (output, report) = try redactor.redact(input)
        for canary in Self.oggCanaries { #expect(!MP3OggFixtures.contains(output, canary), "\(canary) survived") }
        #expect(MP3OggFixtures.contains(output, "Tipline"))
        #expect(Set(report.removed).isSuperset(of: [.authorship, .comment, .thumbnail, .timestamps, .location, .other]))
        #expect(Set(report.kept) == [.audio])
        let out = try scratch.write("out.ogg", output)
        let tags = try Tools.exiftool(out)
        #expect(!tags.values.contains { $0.contains("CANARY") }, "\(tags)")
        #expect(tags.keys.filter { $0.hasSuffix(":Artist") || $0.hasSuffix(":Comment") || $0.hasSuffix(":Date") }.isEmpty)
        let md5 = try MP3OggFixtures.audioMD5(ref)
        #expect(md5.hasPrefix("MD5="))
        #expect(try MP3OggFixtures.audioMD5(out) == md5)
        #expect(try MP3OggFixtures.decodeErrors(out) == "")
        #expect(try redactor.redact(output).output == output)
        #expect(try redactInPieces(input, sizes: [1]).output == output)
        var rng = SeededGenerator(state: UInt64(big + codec.count))
        #expect(try redactInPieces(input, sizes: (0..<50).map { _ in Int.random(in: 1...9000, using: &rng) }).output == output)
    }

    @Test func audioPagesAreCopiedExceptTheirSequenceNumberAndCRC() throws {
        let scratch = try Scratch()
        let input = try FormatsSupport.read(
            URL(fileURLWithPath: try MP3OggFixtures.ffmpegOgg(scratch, codec: "libvorbis", bigComment: 100_000, name: "v.ogg")))
        let output = try redactor.redact(input).output
        let a = Self.pages(input), b = Self.pages(output)
        #expect(a.count > b.count)  // the big comment took pages the new one does not
        let audioIn = a.suffix(b.count - 2), audioOut = b.suffix(b.count - 2)
        for (x, y) in zip(audioIn, audioOut) {
            var x = x, y = y
            for i in 18..<26 { x[i] = 0; y[i] = 0 }
            #expect(x == y)
        }
    }

    /// Splits a file into pages (test-side reading, trusting the lengths).
    static func pages(_ b: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var at = 0
        while at + 27 <= b.count {
            let n = Int(b[at + 26])
            guard at + 27 + n <= b.count else { break }
            let size = 27 + n + b[(at + 27)..<(at + 27 + n)].reduce(0) { $0 + Int($1) }
            guard at + size <= b.count else { break }
            out.append(Array(b[at..<(at + size)]))
            at += size
        }
        return out
    }

    @Test func everyTruncationIsRefused() throws {
        let scratch = try Scratch()
        let scratchFile = try MP3OggFixtures.ffmpegOgg(scratch, codec: "libopus", name: "o.ogg")
        let input = Array(try FormatsSupport.read(URL(fileURLWithPath: scratchFile)).prefix(6000))
        let boundaries = Set(Self.pages(input).reduce(into: [0]) { $0.append($0.last! + $1.count) })
        for cut in 1..<input.count where !boundaries.contains(cut) {
            let error = refusal(Array(input[0..<cut]))
            if cut > 4 { #expect(error == .truncated(.ogg, offset: cut), "cut at \(cut)") }
        }
    }

    @Test func mutatedHeaderPagesGiveATypedErrorOrACleanVerifiedOutput() throws {
        let scratch = try Scratch()
        for codec in ["libopus", "libvorbis"] {
            let input = try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegOgg(scratch, codec: codec, name: "\(codec).ogg")))
            var mutator = FormatsMutator(seed: 7)
            for _ in 0..<300 {
                // CRCs would catch almost every change, so mutate and then re-seal every page.
                var pages = Self.pages(mutator.mutate(input, window: 4000))
                for i in pages.indices where pages[i].count >= 27 { OggPage.seal(&pages[i]) }
                guard let (output, _) = try? redactor.redact(Array(pages.joined())) else { continue }
                for canary in Self.oggCanaries { #expect(!MP3OggFixtures.contains(output, canary)) }
            }
        }
    }

    @Test func damagedAndMultiStreamFilesAreRefused() throws {
        let scratch = try Scratch()
        let input = try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegOgg(scratch, codec: "libopus", name: "o.ogg")))
        var badCRC = input
        badCRC[40] ^= 0x01
        #expect(refusal(badCRC) == .malformed(.ogg, offset: 0, reason: "page CRC mismatch"))
        let second = Self.pages(input)[0].count
        var version = input
        version[second + 4] = 1
        #expect(refusal(version) == .malformed(.ogg, offset: second, reason: "page version is not 0"))
        // A segment table promising more than the file holds.
        var long = Array(input.prefix(second + 27 + 1))
        long[second + 26] = 1
        #expect(refusal(long + [200]) == .truncated(.ogg, offset: long.count + 1))
        // Two files back to back: a chained stream with a second serial.
        let other = try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegOgg(scratch, codec: "libvorbis", name: "v.ogg")))
        if case .unsupportedLayout(.ogg, _)? = refusal(input + other) {} else { Issue.record("a chained stream was not refused") }
        // A page of another serial in the middle (multiplexed).
        var pages = Self.pages(input)
        var foreign = pages[3]
        foreign[14] ^= 0x55
        OggPage.seal(&foreign)
        pages.insert(foreign, at: 3)
        if case .unsupportedLayout(.ogg, _)? = refusal(Array(pages.joined())) {} else { Issue.record("a second serial was not refused") }
        #expect(refusal([]) == .empty)
        #expect(refusal(Array("OggS".utf8) + [0]) == .truncated(.ogg, offset: 5))
    }

    @Test func theVerifierRejectsCommentsAndBadCRCs() throws {
        let scratch = try Scratch()
        let input = try FormatsSupport.read(URL(fileURLWithPath: try MP3OggFixtures.ffmpegOgg(scratch, codec: "libopus", name: "o.ogg")))
        let output = try redactor.redact(input).output
        try FormatsDrive.verify(OggVerifier.self, output)
        // The untouched input: its OpusTags has a vendor and comments.
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(OggVerifier.self, input) }
        // A constant vendor but one comment.
        var pages = Self.pages(output)
        let tags = Array("OpusTags".utf8) + [7, 0, 0, 0] + Array("Tipline".utf8) + [1, 0, 0, 0, 5, 0, 0, 0] + Array("A=bcd".utf8)
        pages[1] = OggPage.paginate([tags], serial: OggPage(bytes: pages[1]).serial, firstSequence: 1)[0]
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(OggVerifier.self, Array(pages.joined())) }
        var badCRC = output
        badCRC[badCRC.count - 1] ^= 0x01
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(OggVerifier.self, badCRC) }
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(OggVerifier.self, output + Self.pages(output)[2]) }
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(OggVerifier.self, Array(output.dropLast())) }
    }
}

@Suite struct OggCorpusTests {
    @Test func everyCorpusOggScrubsCleanlyOrIsRefused() throws {
        let t = try AudioCorpusSweep.run("media/ogg", extensions: ["ogg", "opus"])
        print("corpus ogg: \(t)")
        for line in t.refusals { print("corpus ogg refused: \(line)") }
        #expect(t.files == 0 || t.scrubbed > 0)
        #expect(t.refused == 0)
    }
}
