import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct HostilePNGAndGIFTests {
    @Test func pngTruncatedAtEveryChunkBoundaryIsRefused() throws {
        let scratch = try Scratch()
        let png = PNGFixture.assemble(PNGFixture.chunks(try PNGFixture.planted(in: scratch)))
        var cuts = Set(stride(from: 8, to: png.count, by: 37))
        var i = 8
        while i < png.count {
            cuts.formUnion([i, i + 4, i + 8].filter { $0 < png.count })
            i += 12 + (Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3]))
        }
        for cut in cuts.sorted() {
            #expect(refusal(Array(png[0..<cut])) == .truncated(.png, offset: cut), "cut at \(cut)")
        }
        #expect(refusal(Array(png[0..<7])) == .unsupportedFormat)
    }

    @Test func badCRCIsMalformed() throws {
        let scratch = try Scratch()
        var png = PNGFixture.assemble(try PNGFixture.base(in: scratch))
        png[8 + 8 + 13 + 3] ^= 0x01  // last CRC byte of IHDR
        #expect(refusal(png) == .malformed(.png, offset: 29, reason: "CRC mismatch in chunk starting at byte 8"))
    }

    @Test func badCRCInADroppedChunkIsStillMalformed() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.text, at: 1)
        var png = PNGFixture.assemble(c)
        png[33 + 8] ^= 0x20  // a keyword byte of the tEXt chunk that follows IHDR
        if case .malformed(.png, _, let reason)? = refusal(png) {
            #expect(reason.hasPrefix("CRC mismatch"))
        } else {
            Issue.record("expected a CRC error")
        }
    }

    @Test func chunkLengthAbove2GiBIsMalformed() {
        let png = PNGFixture.signature + [0x80, 0, 0, 0] + Array("IHDR".utf8)
        #expect(refusal(png) == .malformed(.png, offset: 8, reason: "chunk length 2147483648 exceeds 2^31-1"))
    }

    @Test func unknownCriticalChunkIsRefusedAndBadTypesAreMalformed() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.Chunk(type: "CRIT", data: [1, 2, 3]), at: 1)
        #expect(refusal(PNGFixture.assemble(c)) == .unsupportedLayout(.png, reason: "unknown critical chunk at byte 33"))
        c[1].type = "cr1t"
        #expect(refusal(PNGFixture.assemble(c)) == .malformed(.png, offset: 37, reason: "chunk type is not four letters"))
        let noIHDR = PNGFixture.assemble(Array(c.dropFirst(2)))
        #expect(refusal(noIHDR) == .malformed(.png, offset: 8, reason: "first chunk is not IHDR"))
    }

    @Test func fiftyThousandTinyAncillaryChunksAreDropped() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(contentsOf: Array(repeating: PNGFixture.privateChunk, count: 50_000), at: 1)
        let (output, report) = try Redactor(policy: RedactionPolicy()).redact(PNGFixture.assemble(c))
        #expect(output == PNGFixture.assemble(c.filter { $0.type != "prVt" }))
        #expect(report.removed == [.other])
    }

    @Test func gifTruncatedAnywhereIsRefused() throws {
        let scratch = try Scratch()
        let gif = try GIFFixture.planted(in: scratch)
        let end = gif.count - Array("canary-trailer".utf8).count - 1  // the trailer byte
        for cut in 6..<end {
            #expect(refusal(Array(gif[0..<cut])) == .truncated(.gif, offset: cut), "cut at \(cut)")
        }
    }

    @Test func gifWithBrokenBlocksIsMalformed() throws {
        let scratch = try Scratch()
        let gif = try GIFFixture.base(in: scratch)
        let at = GIFFixture.afterGlobalTable(gif)
        var bad = gif
        bad.insert(0x99, at: at)
        #expect(refusal(bad) == .malformed(.gif, offset: at, reason: "unknown block type 0x99"))
        // A sub-block chain that runs off the end of the file.
        let cut = Array(gif[0..<at]) + [0x21, 0xFE, 200] + Array(repeating: 0x41, count: 50)
        #expect(refusal(cut) == .truncated(.gif, offset: cut.count))
        #expect(refusal(Array("GIF89a".utf8)) == .truncated(.gif, offset: 6))
        #expect(refusal(Array("GIF90a-but-not-really".utf8)) == .unsupportedFormat)
    }

    @Test func fiftyThousandCommentExtensionsAreDropped() throws {
        let scratch = try Scratch()
        var gif = try GIFFixture.base(in: scratch)
        let clean = gif
        gif.insert(contentsOf: Array(repeating: GIFFixture.comment, count: 50_000).flatMap { $0 }, at: GIFFixture.afterGlobalTable(gif))
        let (output, report) = try Redactor(policy: RedactionPolicy()).redact(gif)
        #expect(output == clean)
        #expect(report.removed == [.comment])
    }
}
