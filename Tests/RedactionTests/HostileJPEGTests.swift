import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct HostileJPEGTests {
    /// Offsets where a marker starts, plus the bytes inside each marker's length field.
    static func boundaries(_ jpeg: [UInt8]) -> [Int] {
        var cuts = Set<Int>()
        for i in 0..<(jpeg.count - 1) where jpeg[i] == 0xFF && jpeg[i + 1] != 0 && jpeg[i + 1] != 0xFF {
            cuts.formUnion([i, i + 1, i + 2, i + 3, i + 4])
        }
        return cuts.filter { $0 >= 3 && $0 < jpeg.count - 2 }.sorted()
    }

    func expectTruncatedEverywhere(_ jpeg: [UInt8], every step: Int) {
        var cuts = Set(Self.boundaries(jpeg)).union(stride(from: 3, to: jpeg.count - 2, by: step)).sorted()
        // Keep debug-build run time bounded on big files: an even sample of at most 400 cuts.
        if cuts.count > 400 { cuts = stride(from: 0, to: cuts.count, by: cuts.count / 400 + 1).map { cuts[$0] } }
        #expect(cuts.count > 20)
        for cut in cuts {
            let error = refusal(Array(jpeg[0..<cut]))
            #expect(error == .truncated(.jpeg, offset: cut), "cut at \(cut)")
        }
    }

    @Test func plantedFixtureTruncatedAtEverySegmentBoundaryIsRefused() throws {
        let scratch = try Scratch()
        let jpeg = try JPEGFixture.planted(in: scratch)
        let eoi = jpeg.count - Array("canary-trailer: motion photo video would be here".utf8).count
        expectTruncatedEverywhere(Array(jpeg[0..<eoi]), every: 97)
    }

    @Test func realCameraJPEGTruncatedAtEverySegmentBoundaryIsRefused() throws {
        guard Corpus.available else {
            print("skipped: corpus not found at \(Corpus.root.path)")
            return
        }
        expectTruncatedEverywhere(try Corpus.bytes("jpg/exif-org/nikon-e950.jpg"), every: 1009)
    }

    @Test func emptyAndTextFilesAreRefused() {
        #expect(refusal([]) == .empty)
        #expect(refusal(Array("This is a text file named photo.jpg\n".utf8)) == .unsupportedFormat)
        #expect(refusal([0xFF]) == .unsupportedFormat)
        #expect(refusal([0xFF, 0xD8]) == .unsupportedFormat)
    }

    @Test func segmentLengthBelowTwoIsMalformed() {
        for length: UInt8 in [0, 1] {
            #expect(
                refusal([0xFF, 0xD8, 0xFF, 0xE1, 0x00, length, 0xFF, 0xD9])
                    == .malformed(.jpeg, offset: 4, reason: "segment length \(length) is below the minimum of 2"))
        }
    }

    @Test func segmentLengthPastTheEndIsTruncated() {
        let file: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF] + Array(repeating: 0x41, count: 100)
        #expect(refusal(file) == .truncated(.jpeg, offset: file.count))
    }

    @Test func brokenMarkerSyntaxIsMalformedOrUnsupported() throws {
        let scratch = try Scratch()
        let image = JPEGFixture.imagePart(try JPEGFixture.base(in: scratch))
        #expect(refusal([0xFF, 0xD8, 0xFF, 0xFE, 0, 2, 0x41] + image) == .malformed(.jpeg, offset: 6, reason: "data where a marker must start"))
        #expect(refusal([0xFF, 0xD8, 0xFF, 0xD8] + image) == .malformed(.jpeg, offset: 3, reason: "a second start-of-image marker"))
        #expect(refusal([0xFF, 0xD8, 0xFF, 0xD9]) == .malformed(.jpeg, offset: 3, reason: "end of image before any scan"))
        #expect(refusal([0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0xFF, 0xD9]) == .malformed(.jpeg, offset: 2, reason: "scan before frame header"))
        #expect(refusal([0xFF, 0xD8, 0xFF, 0x02, 0, 2] + image) == .unsupportedLayout(.jpeg, reason: "marker 0x2 at byte 2"))
        #expect(refusal([0xFF, 0xD8, 0xFF, 0xF7, 0, 2] + image) == .unsupportedLayout(.jpeg, reason: "marker 0xF7 at byte 2"))
    }

    @Test func absurdExifCountsAndOffsetsDoNotCrash() throws {
        let scratch = try Scratch()
        let base = try JPEGFixture.base(in: scratch)
        // IFD0 claims 65535 entries; a second block points every offset far outside itself.
        let huge = JPEGFixture.segment(0xE1, Array("Exif\0\0".utf8) + [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0xFF, 0xFF, 0, 0x12])
        var bad = [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 2] as [UInt8]
        bad += [0x87, 0x69, 0, 4, 0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF]  // EXIF IFD pointer out of range
        bad += [0x01, 0x12, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF]  // orientation, absurd count
        bad += [0x7F, 0xFF, 0xFF, 0xFF]  // IFD1 offset out of range
        let offsets = JPEGFixture.segment(0xE1, Array("Exif\0\0".utf8) + bad)
        let input = JPEGFixture.assemble(base, header: [huge, offsets])
        let (output, report) = try Redactor(policy: RedactionPolicy()).redact(input)
        #expect(report.kept == [])
        #expect(report.removed.contains(.other))
        #expect(output == [0xFF, 0xD8] + JPEGFixture.imagePart(base))
    }

    @Test func thousandsOfCommentSegmentsStreamInBoundedTime() throws {
        let scratch = try Scratch()
        let base = try JPEGFixture.base(in: scratch)
        let input = JPEGFixture.assemble(base, header: Array(repeating: JPEGFixture.comment, count: 20_000))
        let (output, report) = try Redactor(policy: RedactionPolicy()).redact(input)
        #expect(output == [0xFF, 0xD8] + JPEGFixture.imagePart(base))
        #expect(report.removed == [.comment])
    }

    @Test func sizeLimitIsEnforcedWhileBytesArrive() throws {
        var policy = RedactionPolicy()
        policy.maxFileBytes = 1000
        var session = Redactor(policy: policy).makeSession()
        _ = try session.consume([UInt8]([0xFF, 0xD8, 0xFF, 0xFE, 0x03, 0xE8] + Array(repeating: 0x41, count: 900)))
        #expect(throws: RedactionError.tooLarge(limit: 1000)) { _ = try session.consume([UInt8](repeating: 0x41, count: 200)) }
        #expect(throws: RedactionError.tooLarge(limit: 1000)) { _ = try session.finish() }
    }

    @Test func formatOutsideThePolicyIsRefused() throws {
        var policy = RedactionPolicy()
        policy.acceptedFormats = [.png]
        let scratch = try Scratch()
        #expect(refusal(try JPEGFixture.base(in: scratch), policy: policy) == .formatNotAccepted(.jpeg))
    }

    @Test func randomByteFlipsGiveVerifiedOutputOrATypedError() throws {
        let scratch = try Scratch()
        let jpeg = try JPEGFixture.planted(in: scratch)
        var rng = SeededGenerator(state: 42)
        var refused = 0
        for _ in 0..<300 {
            var mutated = jpeg
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            do {
                _ = try Redactor(policy: RedactionPolicy()).redact(mutated)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0)
    }
}
