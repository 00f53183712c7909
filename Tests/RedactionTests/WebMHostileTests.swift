import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Damaged and hostile WebM: truncations, lying sizes, depth bombs, refused features, and a
/// verifier that refuses what the scrubber must never let through.
@Suite struct WebMHostileTests {
    let redactor = Redactor(policy: RedactionPolicy())

    static func fixture(_ scratch: Scratch) throws -> [UInt8] {
        try FormatsSupport.read(URL(fileURLWithPath: try WebMFixtures.vp9Opus(scratch, seconds: "0.3")))
    }

    /// Overwrites the size field of `e` with the same number of bytes holding `value`.
    static func withSize(_ b: [UInt8], _ e: WebMFixtures.Element, _ value: UInt64) -> [UInt8] {
        var b = b
        let idLength = b[e.start].leadingZeroBitCount + 1
        let n = e.headerLength - idLength
        for k in 0..<n { b[e.start + idLength + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(n - 1 - k))) }
        b[e.start + idLength] |= 0x80 >> (n - 1)
        return b
    }

    @Test func everyCutAtOrBesideAnElementBoundaryIsRefused() throws {
        let scratch = try Scratch()
        let input = try Self.fixture(scratch)
        let elements = WebMFixtures.elements(input)
        let headerEnd = elements[0].end!
        var cuts = Set<Int>()
        for e in elements {
            for c in [e.start - 1, e.start, e.start + 1, e.start + e.headerLength, (e.end ?? 0) - 1] where c > 0 && c < input.count { cuts.insert(c) }
        }
        #expect(cuts.count > 50)
        for cut in cuts.sorted() {
            let error = refusal(Array(input[0..<cut]))
            if cut < headerEnd {
                #expect(error == .unsupportedFormat, "cut at \(cut)")
            } else {
                #expect(error == .truncated(.webm, offset: cut), "cut at \(cut)")
            }
        }
    }

    @Test func lyingSizesAreRefusedWithTheirReason() throws {
        let scratch = try Scratch()
        let input = try Self.fixture(scratch)
        let elements = WebMFixtures.elements(input)
        let segment = try #require(elements.first { $0.id == 0x1853_8067 })
        let tags = try #require(elements.first { $0.id == 0x1254_C367 })
        let cluster = try #require(elements.first { $0.id == 0x1F43_B675 })
        let title = try #require(elements.first { $0.id == 0x7BA9 })
        // Segment of 2^56-2 bytes: the file ends long before.
        #expect(refusal(Self.withSize(input, segment, (1 << 56) - 2)) == .truncated(.webm, offset: input.count))
        // Segment of unknown size (2^56-1 in 8 bytes): a live file; the same clean output otherwise.
        let unknown = Self.withSize(input, segment, (1 << 56) - 1)
        #expect(try redactor.redact(unknown).output == Self.withSize(try redactor.redact(input).output, segment, (1 << 56) - 1))
        // Tags of unknown size: only Segment and Cluster may have one.
        let n = tags.headerLength - 4
        #expect(
            refusal(Self.withSize(input, tags, (1 << (7 * UInt64(n))) - 1))
                == .malformed(.webm, offset: tags.start, reason: "an element of unknown size that must have one"))
        // A Cluster longer than the Segment that holds it.
        let past = UInt64(segment.end! - cluster.start)
        #expect(refusal(Self.withSize(input, cluster, past)) == .malformed(.webm, offset: cluster.start, reason: "an element runs past its parent"))
        // Sizes 0 and lies inside: either a typed refusal or a verified output without canaries.
        for value: UInt64 in [0, 1, 5, 100] {
            for e in [title, tags, cluster] {
                let bytes = Self.withSize(input, e, value)
                guard let output = try? FormatsDrive.scrubAndVerify(WebMScrubber.self, WebMVerifier.self, bytes) else { continue }
                #expect(!MP3OggFixtures.contains(output, "CANARY"), "size \(value) on 0x\(String(e.id, radix: 16))")
            }
        }
    }

    @Test func depthBombsAndOversizedChildrenAreRefused() throws {
        let scratch = try Scratch()
        let input = try Self.fixture(scratch)
        let header = Array(input[0..<WebMFixtures.elements(input)[0].end!])
        func element(_ id: [UInt8], _ body: [UInt8]) -> [UInt8] {
            let n = UInt64(body.count)
            return id + [0x01] + (0..<7).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64(6 - $0))) } + body
        }
        var nested: [UInt8] = []
        for _ in 0..<1000 { nested = element([0x67, 0xC8], nested) }
        let bomb =
            header + [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            + element([0x12, 0x54, 0xC3, 0x67], element([0x73, 0x73], nested))
        guard case .malformed(.webm, _, "elements nested deeper than 12")? = refusal(bomb) else {
            Issue.record("a depth bomb was not refused for its depth")
            return
        }
        // A child claiming more than its parent holds.
        let liar =
            header + [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + [0x15, 0x49, 0xA9, 0x66, 0x84, 0x7B, 0xA9, 0x88, 0]
        #expect(refusal(liar) == .malformed(.webm, offset: header.count + 17, reason: "an element runs past its parent"))
    }

    @Test func refusedFeaturesNameTheirReason() throws {
        let scratch = try Scratch()
        let input = try Self.fixture(scratch)
        let elements = WebMFixtures.elements(input)
        func patched(_ id: UInt32, _ bytes: [UInt8], index: Int = 0) throws -> [UInt8] {
            let e = try #require(elements.filter { $0.id == id }.dropFirst(index).first)
            var b = input
            b.replaceSubrange(e.start..<(e.start + bytes.count), with: bytes)
            return b
        }
        // The video's CodecID V_VP9 becomes V_AV1 (same length).
        #expect(
            try refusal(patched(0x86, [0x86, 0x85] + Array("V_AV1".utf8)))
                == .unsupportedLayout(.webm, reason: "AV1 video (its metadata OBUs are not removed yet)"))
        // A kept track's Language ("und", 7 bytes) becomes ContentEncodings of the same size.
        #expect(
            try refusal(patched(0x22_B59C, [0x6D, 0x80, 0x40, 0x03, 1, 2, 3]))
                == .unsupportedLayout(.webm, reason: "compressed or encrypted track content"))
        // DocTypeReadVersion 5.
        #expect(try refusal(patched(0x4285, [0x42, 0x85, 0x81, 5])) == .unsupportedLayout(.webm, reason: "a Matroska read version above 4"))
        // An encrypted block where a SimpleBlock was.
        let block = try #require(elements.first { $0.id == 0xA3 })
        #expect(try refusal(patched(0xA3, [0xAF])) == .unsupportedLayout(.webm, reason: "an encrypted block at byte \(block.start)"))
        // Block additions in a block group, ahead of its block: [Block, BlockDuration] becomes
        // [BlockAdditions, Block] in the same bytes.
        let group = try #require(elements.first { $0.id == 0xA0 })
        let block2 = try #require(elements.first { $0.id == 0xA1 && $0.start == group.start + group.headerLength })
        try #require(group.end! - block2.end! == 4, "the group is a block and a 4-byte duration")
        var additions = input
        additions.replaceSubrange(block2.start..<group.end!, with: [0x75, 0xA1, 0x81, 0] + input[block2.start..<block2.end!])
        #expect(
            refusal(additions) == .unsupportedLayout(.webm, reason: "block additions (an alpha channel or other side data) at byte \(block2.start)"))
    }

    @Test func mutatedHeadersGiveATypedErrorOrACleanVerifiedOutput() throws {
        let scratch = try Scratch()
        let input = try Self.fixture(scratch)
        var mutator = FormatsMutator(seed: 9)
        var accepted = 0
        for _ in 0..<400 {
            let bytes = mutator.mutate(input, window: 1200)
            guard let output = try? FormatsDrive.scrubAndVerify(WebMScrubber.self, WebMVerifier.self, bytes) else { continue }
            accepted += 1
            #expect(!MP3OggFixtures.contains(output, "CANARY"))
            #expect(try FormatsDrive.scrub(WebMScrubber.self, output).bytes == output)
        }
        #expect(accepted > 0)
    }

    @Test func theVerifierRefusesWhatMustNotRemain() throws {
        let scratch = try Scratch()
        let input = try Self.fixture(scratch)
        let output = try redactor.redact(input).output
        try FormatsDrive.verify(WebMVerifier.self, output)
        func reason(_ b: [UInt8]) -> String? {
            do {
                try FormatsDrive.verify(WebMVerifier.self, b)
                return nil
            } catch {
                guard case .verificationFailed(.webm, let reason) = error else { return "wrong error \(error)" }
                return reason
            }
        }
        // The untouched input (its SeekHead points at Tags, which follow).
        #expect(reason(input) != nil)
        let after = WebMFixtures.elements(output)
        // Tags where the scrubber had put a Void.
        let tags = try #require(WebMFixtures.elements(input).first { $0.id == 0x1254_C367 })
        var tagged = output
        let size = UInt64(tags.end! - tags.start - 12)
        tagged.replaceSubrange(
            tags.start..<(tags.start + 12),
            with: [0x12, 0x54, 0xC3, 0x67, 0x01] + (0..<7).map { UInt8(truncatingIfNeeded: size >> (8 * UInt64(6 - $0))) })
        #expect(reason(tagged)?.hasPrefix("element 0x1254C367 is not allowed here") == true)
        // A Void holding a byte of something.
        let void = try #require(after.first { $0.id == 0xEC && $0.size! > 4 })
        var dirty = output
        dirty[void.start + void.headerLength + 2] = 0x41
        #expect(reason(dirty)?.hasPrefix("a Void with content") == true)
        // A MuxingApp other than the constant.
        let app = try #require(after.first { $0.id == 0x4D80 })
        var named = output
        named[app.start + app.headerLength] = UInt8(ascii: "L")
        #expect(reason(named)?.hasPrefix("a MuxingApp or WritingApp that is not the constant") == true)
        // A video block relabelled as the dropped subtitle track (3).
        let block = try #require(after.first { $0.id == 0xA3 })
        var moved = output
        moved[block.start + block.headerLength] = 0x83
        #expect(reason(moved)?.hasPrefix("a block of track 3") == true)
        // Truncated output, and Tags appended after a closed Segment.
        #expect(reason(Array(output.dropLast())) != nil)
        #expect(reason(output + [0x12, 0x54, 0xC3, 0x67, 0x80]) != nil)
        // The MKV verifier does not take a WebM.
        #expect(throws: RedactionError.self) { try FormatsDrive.verify(MatroskaVerifier.self, output) }
    }
}
