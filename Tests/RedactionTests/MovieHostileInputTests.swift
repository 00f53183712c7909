import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Damaged and hostile movies: each is a typed refusal, never a crash and never an output.
@Suite struct MovieHostileInputTests {
    static func smallMovie() throws -> [UInt8] {
        let dir = try FormatsSupport.tempDir()
        let out = dir.appendingPathComponent("small.mp4")
        try FormatsSupport.must(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1", "-f", "lavfi", "-i",
                "sine=duration=1", "-c:v", "libx264", "-c:a", "aac", "-metadata", "title=CANARY-TITLE", out.path,
            ])
        return try FormatsSupport.read(out)
    }

    static func find(_ type: String, in bytes: [UInt8]) -> Int? {
        let t = Array(type.utf8)
        return (4..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(t) }.map { $0 - 4 }
    }

    @Test func everyTruncationIsRefused() throws {
        let movie = try Self.smallMovie()
        #expect(try Redactor(policy: RedactionPolicy()).redact(movie).output.count > 0)
        var cuts = Set(stride(from: 0, to: movie.count, by: 37))
        for i in 0..<(movie.count - 8) where movie[(i + 4)..<(i + 8)].allSatisfy({ (0x61...0x7A).contains($0) }) {
            cuts.formUnion([i, i + 4, i + 8, i + 9])
        }
        for cut in cuts.sorted() where cut < movie.count {
            #expect(refusal(Array(movie[0..<cut])) != nil, "prefix of \(cut) bytes")
        }
    }

    @Test func impossibleBoxSizesAreRefused() throws {
        let ftyp: [UInt8] = [0, 0, 0, 16] + Array("ftypisom".utf8) + [0, 0, 2, 0]
        for header in [
            [0, 0, 0, 4] + Array("moov".utf8),  // smaller than its header
            [0, 0, 0, 1] + Array("mdat".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // 2^64 - 1
            [0, 0, 0, 1] + Array("mdat".utf8) + [0, 0, 0, 0, 0, 0, 0, 3],  // 64-bit size below 16
            [0, 0, 0, 0] + Array("moov".utf8),  // a movie index "to the end of the file"
            [0xFF, 0xFF, 0xFF, 0xFF] + Array("moov".utf8),  // past the end
        ] as [[UInt8]] {
            #expect(refusal(ftyp + header) != nil)
        }
        #expect(refusal([]) == .empty)
        #expect(refusal(ftyp) != nil)  // no movie index at all
    }

    @Test func chunkOffsetOutsideTheMediaDataIsRefused() throws {
        var movie = try Self.smallMovie()
        let stco = try #require(Self.find("stco", in: movie))
        movie.replaceSubrange((stco + 16)..<(stco + 20), with: [0x7F, 0xFF, 0xFF, 0x00])
        guard case .malformed(.mp4, _, let reason) = refusal(movie) else {
            Issue.record("expected a malformed refusal")
            return
        }
        #expect(reason.contains("outside the media data"))
    }

    @Test func sampleTablesThatDisagreeAreRefused() throws {
        var movie = try Self.smallMovie()
        let stsz = try #require(Self.find("stsz", in: movie))
        movie[stsz + 19] &+= 1  // sample count one more than the tables describe
        #expect(refusal(movie) != nil)
    }

    /// Random damage: whatever happens, no crash, and an accepted file passed its verifier.
    @Test func randomDamageNeverCrashes() throws {
        let movie = try Self.smallMovie()
        var rng = SeededGenerator(state: 9)
        let redactor = Redactor(policy: RedactionPolicy())
        for _ in 0..<300 {
            var damaged = movie
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<damaged.count, using: &rng)
                damaged[at] ^= UInt8.random(in: 1...255, using: &rng)
            }
            if let out = try? redactor.redact(damaged).output {
                #expect(!MovieFixtures.contains(out, "CANARY-TITLE"))
            }
        }
    }
}

/// SEI removal on hand-made H.264 samples: only the listed message types stay, NAL units
/// without SEI are untouched, and emulation prevention is undone and redone correctly.
@Suite struct VideoUserDataFilterTests {
    let filter = VideoUserDataFilter(codec: .h264, lengthSize: 4)

    func nal(_ payload: [UInt8]) -> [UInt8] {
        [UInt8(payload.count >> 24), UInt8(payload.count >> 16 & 0xFF), UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF)]
            + payload
    }

    @Test func userDataMessagesGoAndRecoveryPointsStay() throws {
        let slice = nal([0x65, 0x88, 0x84, 0x00, 0x33])
        let userData: [UInt8] = [0x05, 0x04] + Array("GPS!".utf8)
        let recovery: [UInt8] = [0x06, 0x01, 0x84]
        let sample = nal([0x06] + userData + recovery + [0x80]) + slice
        let out = try #require(try filter.filter(sample, at: 0))
        #expect(out == nal([0x06] + recovery + [0x80]) + slice)
        #expect(try filter.filter(out, at: 0) == nil)
    }

    @Test func anSEIOfOnlyUserDataIsDroppedWhole() throws {
        let slice = nal([0x41, 0x9A, 0x02])
        let sample = nal([0x06, 0x05, 0x03, 0x00, 0x00, 0x03, 0x01, 0x80]) + slice
        #expect(try filter.filter(sample, at: 0) == slice)
    }

    @Test func samplesWithoutSEIAreLeftAlone() throws {
        #expect(try filter.filter(nal([0x67, 0x42, 0x00, 0x1E]) + nal([0x65, 0x01]), at: 0) == nil)
    }

    @Test func emulationPreventionRoundTrips() {
        let rbsp: [UInt8] = [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x05]
        let escaped = VideoUserDataFilter.escape(rbsp)
        #expect(escaped == [0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x03, 0x05])
        #expect(VideoUserDataFilter.unescape(escaped[...]) == rbsp)
    }

    @Test func brokenSamplesAreMalformed() {
        #expect(throws: RedactionError.self) { try filter.filter([0, 0, 0, 9, 0x65], at: 0) }
        #expect(throws: RedactionError.self) { try filter.filter([0, 0, 0, 3, 0x06, 0x05, 0x40], at: 0) }
        #expect(throws: RedactionError.self) { try filter.filter([0, 0], at: 0) }
    }
}
