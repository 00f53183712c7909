import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct WAVScrubberTests {
    typealias F = WAVFLACFixtures
    let redactor = Redactor(policy: RedactionPolicy())

    @Test func ffmpegBextAndInfoAreRemovedAndSamplesKept() throws {
        let scratch = try Scratch()
        let input = try F.wav(scratch)
        let (output, report) = try redactor.redact(try F.read(input))
        #expect(try F.judge(input: input, output: output, format: .wav, scratch: scratch) == [])
        #expect(Set(report.removed).isSuperset(of: [.authorship, .timestamps, .device, .comment, .editing]))
        #expect(report.kept == [.audio])
        #expect(Array(output[36..<40]) == Array("data".utf8))  // RIFF header, fmt, data: nothing else
    }

    @Test func rf64KeepsItsDs64WithFixedSizes() throws {
        let scratch = try Scratch()
        let input = try F.wav(scratch, bext: false, extra: ["-rf64", "always"])
        let (output, _) = try redactor.redact(try F.read(input))
        #expect(Array(output[0..<4]) == Array("RF64".utf8))
        #expect(Array(output[12..<16]) == Array("ds64".utf8))
        #expect(F.le(output.count - 8, 8) == Array(output[20..<28]))
        #expect(try F.judge(input: input, output: output, format: .wav, scratch: scratch) == [])
    }

    @Test func onePieceOneByteAndRandomPiecesGiveTheSameOutput() throws {
        let scratch = try Scratch()
        let bytes = try F.read(try F.wav(scratch))
        let whole = try redactor.redact(bytes)
        #expect(try redactInPieces(bytes, sizes: [1]).output == whole.output)
        var rng = SeededGenerator(state: 7)
        let sizes = (0..<64).map { _ in Int.random(in: 1...700, using: &rng) }
        let pieces = try redactInPieces(bytes, sizes: sizes)
        #expect(pieces.output == whole.output)
        #expect(pieces.report == whole.report)
    }

    @Test func handMadeFileKeepsExactlyFmtFactAndData() throws {
        let odd = Array(F.samples.prefix(201 - 2))  // 199 bytes: the data chunk needs a pad byte
        let input = F.riff([
            F.chunk("JUNK", [0, 0, 0, 0, 0]), F.chunk("fact", F.le(99, 4)), F.chunk("fmt ", F.fmt), F.info,
            F.chunk("bext", Array(repeating: 0x41, count: 602)), F.chunk("data", odd), F.chunk("id3 ", Array("ID3xx".utf8)),
            F.chunk("fact", F.le(1, 4)),
        ])
        let (output, report) = try redactor.redact(input)
        #expect(output == F.riff([F.chunk("fmt ", F.fmt), F.chunk("fact", F.le(99, 4)), F.chunk("data", odd)]))
        #expect(Set(report.removed) == [.authorship, .timestamps, .device, .comment, .other])
        // Bytes past the declared RIFF end (an ID3v1 tag appended by a tagger) are a dropped trailer.
        let tagged = F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)]) + Array("TAG".utf8) + Array(repeating: 0x20, count: 125)
        let (clean, tagReport) = try redactor.redact(tagged)
        #expect(clean == F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)]))
        #expect(Set(tagReport.removed) == [.trailer])
    }

    @Test func corpusFilesScrubCleanlyOrAreRefused() throws {
        let files = FormatsSupport.corpusFiles("media/wav", extensions: ["wav"])
        guard !files.isEmpty else {
            print("skipped: no WAV corpus")
            return
        }
        let scratch = try Scratch()
        var scrubbed = 0, refused = 0, leaks = 0, decodeChanges = 0
        for url in files {
            do {
                let (output, _) = try redactor.redact(try F.read(url.path))
                scrubbed += 1
                let problems = try F.judge(input: url.path, output: output, format: .wav, scratch: scratch, canaries: [])
                leaks += problems.filter { !$0.hasPrefix("decoded") }.count
                decodeChanges += problems.filter { $0.hasPrefix("decoded") }.count
                #expect(problems == [], "\(url.lastPathComponent)")
            } catch {
                refused += 1
                print("corpus wav refused: \(url.lastPathComponent): \(error)")
            }
        }
        print("corpus wav: files \(files.count), scrubbed \(scrubbed), refused \(refused), leaks \(leaks), decode changes \(decodeChanges)")
        #expect(scrubbed == files.count)
    }
}

@Suite struct HostileWAVTests {
    typealias F = WAVFLACFixtures
    let good = F.riff([F.chunk("fmt ", F.fmt), F.info, F.chunk("data", F.samples), F.chunk("LIST", Array("INFOICMTx".utf8))])

    @Test func everyPrefixIsRefusedOrVerifies() throws {
        #expect(good.count < 2048)
        let dataEnd = 12 + 24 + F.info.count + 8 + F.samples.count
        for cut in 1..<good.count {
            do {
                let (output, _) = try Redactor(policy: RedactionPolicy()).redact(Array(good[0..<cut]))
                try FormatsDrive.verify(WAVVerifier.self, output)
                #expect(cut >= dataEnd, "accepted a prefix of \(cut) bytes")
            } catch {
                #expect(cut < dataEnd || error == .truncated(.wav, offset: cut), "cut \(cut): \(error)")
            }
        }
        #expect(refusal(Array(good[0..<(dataEnd - 1)])) == .truncated(.wav, offset: dataEnd - 1))
        #expect(refusal(Array(good[0..<36])) == .malformed(.wav, offset: 36, reason: "no data chunk"))
    }

    @Test func truncationAtAndInsideEveryChunkOfAnFFmpegFile() throws {
        let scratch = try Scratch()
        let wav = try F.read(try F.wav(scratch))
        var at = 12
        while at < wav.count {
            let size = Int(WAVScrubber.le32(wav, at + 4))
            #expect(refusal(Array(wav[0..<at])) == .malformed(.wav, offset: at, reason: "no data chunk"), "cut \(at)")
            for cut in [at + 3, at + 8, at + 8 + size / 2] {
                #expect(refusal(Array(wav[0..<cut])) == .truncated(.wav, offset: cut), "cut \(cut)")
            }
            if wav[at..<(at + 4)].elementsEqual("data".utf8) { break }
            at += 8 + size + (size & 1)
        }
    }

    @Test func brokenStructuresAreTypedRefusals() {
        #expect(refusal([]) == .empty)
        #expect(
            refusal(F.riff([F.chunk("data", F.samples), F.chunk("fmt ", F.fmt)]))
                == .malformed(.wav, offset: 12, reason: "data chunk before fmt chunk"))
        #expect(refusal(F.riff([F.chunk("fmt ", F.fmt)])) == .malformed(.wav, offset: 36, reason: "no data chunk"))
        let huge = F.riff([F.chunk("fmt ", F.fmt)]) + Array("data".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + F.samples
        #expect(refusal(huge) == .malformed(.wav, offset: 36, reason: "data size 0xFFFFFFFF in a RIFF file"))
        let pastEOF = F.riff([F.chunk("fmt ", F.fmt)]) + Array("LIST".utf8) + F.le(1 << 30, 4) + Array(repeating: 0, count: 10)
        #expect(refusal(pastEOF) == .truncated(.wav, offset: pastEOF.count))
        let twoData = F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples), F.chunk("data", F.samples)])
        #expect(refusal(twoData) == .malformed(.wav, offset: 244, reason: "a second data chunk"))
        let twoFmt = F.riff([F.chunk("fmt ", F.fmt), F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)])
        #expect(refusal(twoFmt) == .malformed(.wav, offset: 36, reason: "a second fmt chunk"))
        let rf64 = F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)], magic: "RF64")
        #expect(refusal(rf64) == .malformed(.wav, offset: 12, reason: "an RF64 file whose first chunk is not ds64"))
        let binaryID = F.riff([F.chunk("fmt ", F.fmt), [0, 1, 2, 3, 0, 0, 0, 0], F.chunk("data", F.samples)])
        #expect(refusal(binaryID) == .malformed(.wav, offset: 36, reason: "chunk id is not four ASCII characters"))
        let noChannels = F.riff([F.chunk("fmt ", [1, 0, 0, 0] + Array(F.fmt[4...])), F.chunk("data", F.samples)])
        #expect(refusal(noChannels) == .malformed(.wav, offset: 36, reason: "fmt chunk with no channels or no sample rate"))
        let manyChunks = F.riff([F.chunk("fmt ", F.fmt)] + Array(repeating: F.chunk("JUNK", []), count: 70_000) + [F.chunk("data", F.samples)])
        #expect(refusal(manyChunks) == .unsupportedLayout(.wav, reason: "more than 65536 chunks"))
    }

    @Test func samplesStreamOutAsTheyArrive() throws {
        let big = F.riff([F.info, F.chunk("fmt ", F.fmt), F.chunk("data", [UInt8](repeating: 7, count: 1 << 20))])
        var session = Redactor(policy: RedactionPolicy()).makeSession()
        let head = 12 + F.info.count + 24 + 8
        #expect(try session.consume(Array(big[0..<head])).count == 12 + 24 + 8)
        for start in stride(from: head, to: big.count, by: 4096) {
            let piece = Array(big[start..<min(start + 4096, big.count)])
            #expect(try session.consume(piece) == piece)
        }
        #expect(try session.finish().tail == [])
    }

    @Test func mutatedHeadersAreRefusedOrVerify() throws {
        let scratch = try Scratch()
        let wav = try F.read(try F.wav(scratch))
        var mutator = FormatsMutator(seed: 42)
        for _ in 0..<400 {
            let bytes = mutator.mutate(wav, window: 800)
            guard let (output, _) = try? Redactor(policy: RedactionPolicy()).redact(bytes) else { continue }
            #expect(throws: Never.self) { try FormatsDrive.verify(WAVVerifier.self, output) }
            #expect(!String(decoding: output, as: Unicode.ASCII.self).contains("CANARY"))
        }
    }

    @Test func rf64TableIsEmptiedAndBW64KeepsItsMagic() throws {
        let table = F.le(1, 4) + Array("LIST".utf8) + F.le(5, 8)
        let ds64 = F.le(0, 8) + F.le(F.samples.count, 8) + F.le(100, 8) + table
        let data = Array("data".utf8) + F.le(0xFFFF_FFFF, 4) + F.samples
        for magic in ["RF64", "BW64"] {
            let input = F.riff([F.chunk("ds64", ds64), F.chunk("fmt ", F.fmt), data, F.info], magic: magic, size: 0xFFFF_FFFF)
            let (output, report) = try Redactor(policy: RedactionPolicy()).redact(input)
            let fixed = F.le(output.count - 8, 8) + F.le(F.samples.count, 8) + F.le(100, 8) + F.le(0, 4)
            #expect(output == F.riff([F.chunk("ds64", fixed), F.chunk("fmt ", F.fmt), data], magic: magic, size: 0xFFFF_FFFF))
            // The ds64 RIFF size (0) ends the file at the header, so what follows data is a trailer.
            #expect(report.removed == [.trailer])
        }
        let shortTable = F.riff([F.chunk("ds64", Array(ds64.prefix(28)) + [0]), F.chunk("fmt ", F.fmt), data], magic: "RF64")
        #expect(refusal(shortTable) == .malformed(.wav, offset: 12, reason: "ds64 table runs past its chunk"))
    }

    @Test func verifierRejectsHandMadeBadOutputs() {
        let clean = F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)])
        #expect(throws: Never.self) { try FormatsDrive.verify(WAVVerifier.self, clean) }
        let bad: [(String, [UInt8])] = [
            ("LIST", F.riff([F.chunk("fmt ", F.fmt), F.info, F.chunk("data", F.samples)])),
            ("LIST after data", F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples), F.info])),
            ("bext", F.riff([F.chunk("bext", [1, 2]), F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)])),
            ("wrong RIFF size", F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)], size: 1000)),
            ("short data", Array(clean.dropLast(1))),
            ("no fmt", F.riff([F.chunk("data", F.samples)])),
            ("RF64 without ds64", F.riff([F.chunk("fmt ", F.fmt), F.chunk("data", F.samples)], magic: "RF64", size: 0xFFFF_FFFF)),
        ]
        for (name, bytes) in bad {
            #expect(throws: RedactionError.self, "\(name)") { try FormatsDrive.verify(WAVVerifier.self, bytes) }
        }
    }
}
