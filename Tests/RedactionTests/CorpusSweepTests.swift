import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Every JPEG, PNG and GIF in the shared real-world corpus either scrubs (and then exiftool
/// finds nothing outside the allowlist, the decoded pixels and the orientation are unchanged)
/// or is refused with a typed error. Prints one summary line per format.
@Suite struct CorpusSweepTests {
    struct Tally {
        var files = 0, scrubbed = 0, refused = 0, leaks = 0, pixelChanges = 0, orientationChanges = 0, undecodable = 0
        var inputsWithMetadata = 0
    }

    @Test func everyCorpusImageScrubsCleanlyOrIsRefused() throws {
        guard Corpus.available else {
            print("skipped: corpus not found at \(Corpus.root.path)")
            return
        }
        let scratch = try Scratch()
        let files = Corpus.files(extensions: ["jpg", "jpeg", "png", "gif"])
        #expect(files.count > 50)
        let redactor = Redactor(policy: RedactionPolicy())
        var tallies: [String: Tally] = [:]
        var refusedFiles: [String] = []
        var pairs: [(relative: String, format: String, input: String, output: String)] = []
        for (index, relative) in files.enumerated() {
            let input = try Corpus.bytes(relative)
            let sniffed: String
            if case .format(let f) = FormatSniffer.sniff(Array(input.prefix(FormatSniffer.maxPrefixBytes))) {
                sniffed = f.rawValue
            } else {
                sniffed = "unknown"
            }
            tallies[sniffed, default: Tally()].files += 1
            do {
                let (output, _) = try redactor.redact(input)
                let out = try scratch.write("\(index).\(sniffed)", output)
                pairs.append((relative, sniffed, Corpus.file(relative), out))
            } catch {
                tallies[sniffed]!.refused += 1
                refusedFiles.append("\(relative): \(error)")
            }
        }
        let tags = try Tools.exiftool(pairs.flatMap { [$0.input, $0.output] })
        let signatures = try Tools.pixelSignatures(pairs.flatMap { [$0.input, $0.output] })
        for (i, p) in pairs.enumerated() {
            var t = tallies[p.format]!
            t.scrubbed += 1
            let inTags = tags[p.input] ?? [:]
            let outTags = tags[p.output] ?? [:]
            let leaked = Oracle.leaks(outTags)
            if outTags.isEmpty || !leaked.isEmpty {
                t.leaks += 1
                Issue.record("\(p.relative): exiftool still reports \(leaked)")
            }
            if !Oracle.leaks(inTags).isEmpty { t.inputsWithMetadata += 1 }
            let (a, b) = (signatures[2 * i], signatures[2 * i + 1])
            if a.isEmpty {
                t.undecodable += 1
            } else if a != b {
                t.pixelChanges += 1
                Issue.record("\(p.relative): decoded pixels changed")
            }
            if (inTags["IFD0:Orientation"] ?? "1") != (outTags["IFD0:Orientation"] ?? "1") {
                t.orientationChanges += 1
                Issue.record("\(p.relative): orientation changed")
            }
            tallies[p.format] = t
        }
        for (format, t) in tallies.sorted(by: { $0.key < $1.key }) {
            print(
                "corpus \(format): files \(t.files), scrubbed \(t.scrubbed), refused \(t.refused), leaks \(t.leaks), "
                    + "pixel changes \(t.pixelChanges), orientation changes \(t.orientationChanges), "
                    + "undecodable inputs \(t.undecodable), inputs carrying metadata \(t.inputsWithMetadata)")
        }
        for line in refusedFiles { print("corpus refused: \(line)") }
        // The only file refused today is the deliberately corrupted one (a stray marker mid-scan).
        #expect(refusedFiles.map { $0.components(separatedBy: ":")[0] } == ["jpg/corrupted.jpg"])
        #expect((tallies["jpeg"]?.inputsWithMetadata ?? 0) > 40)
    }
}
