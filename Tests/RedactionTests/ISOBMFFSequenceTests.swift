import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 10, item 4: the `moov` of a HEIF image sequence no longer passes through. A real
/// corpus HEIC gets a crafted sequence header appended: non-zero times in `mvhd` (v0), `tkhd`
/// (v1) and `mdhd` (v0), a handler name, an unknown box with owner text and a `udta`.
@Suite struct ISOBMFFSequenceTests {
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        ICCFixture.be32(payload.count + 8) + Array(type.utf8) + payload
    }
    static let owner = Array("Owner: Jane Tipster".utf8)
    static let handlerName = Array("CanaryHandlerName".utf8)

    static func sequenceHeader() -> [UInt8] {
        let mvhd = box("mvhd", [0, 0, 0, 0] + ICCFixture.be32(0x6123_4567) + ICCFixture.be32(0x6123_4568) + [UInt8](repeating: 1, count: 88))
        let tkhd = box(
            "tkhd",
            [1, 0, 0, 3] + [0, 0, 0, 0] + ICCFixture.be32(0x6123_4569) + [0, 0, 0, 0] + ICCFixture.be32(0x6123_456A)
                + [UInt8](repeating: 2, count: 68))
        let mdhd = box(
            "mdhd", [0, 0, 0, 0] + ICCFixture.be32(0x6123_456B) + ICCFixture.be32(0x6123_456C) + [0, 0, 0x75, 0x30, 0, 0, 0, 10, 0x55, 0xC4, 0, 0])
        let hdlr = box("hdlr", [0, 0, 0, 0, 0, 0, 0, 0] + Array("pict".utf8) + [UInt8](repeating: 0, count: 12) + handlerName + [0])
        let stbl = box("stbl", box("stsd", [0, 0, 0, 0, 0, 0, 0, 0]) + box("stts", [0, 0, 0, 0, 0, 0, 0, 0]))
        let minf = box("minf", box("vmhd", [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) + stbl)
        let trak = box("trak", tkhd + box("mdia", mdhd + hdlr + minf) + box("xown", owner))
        return box("moov", mvhd + trak + box("udta", box("cprt", owner)))
    }

    static func input() throws -> [UInt8]? {
        guard Corpus.available else { return nil }
        return try Corpus.bytes("heic/IMG_5195.HEIC") + sequenceHeader()
    }

    /// Offset of the first `type` box header inside `bytes` at or after `from`.
    static func find(_ type: String, in bytes: [UInt8], from: Int) -> Int? {
        let t = Array(type.utf8)
        return (from..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(t) }.map { $0 - 4 }
    }

    @Test func sequenceTimesAreZeroedAndOwnerTextIsGone() throws {
        guard let input = try Self.input() else { return }
        let moovAt = input.count - Self.sequenceHeader().count
        let (output, summary) = try FormatsDrive.scrub(ISOBMFFScrubber.self, input)
        try FormatsDrive.verify(ISOBMFFVerifier.self, output)
        #expect(output.count == input.count)
        #expect(!ICCFixture.contains(output, Self.owner) && !ICCFixture.contains(output, Self.handlerName))
        let mvhd = try #require(Self.find("mvhd", in: output, from: moovAt))
        #expect(output[(mvhd + 12)..<(mvhd + 20)].allSatisfy { $0 == 0 })
        #expect(output[mvhd + 20] == 1)  // the rest of mvhd is untouched
        let tkhd = try #require(Self.find("tkhd", in: output, from: moovAt))
        #expect(output[(tkhd + 12)..<(tkhd + 28)].allSatisfy { $0 == 0 } && output[tkhd + 28] == 2)
        let mdhd = try #require(Self.find("mdhd", in: output, from: moovAt))
        #expect(output[(mdhd + 12)..<(mdhd + 20)].allSatisfy { $0 == 0 } && output[(mdhd + 20)..<(mdhd + 24)] == [0, 0, 0x75, 0x30])
        #expect(Self.find("xown", in: output, from: moovAt) == nil && Self.find("udta", in: output, from: moovAt) == nil)
        #expect(summary.removed.isSuperset(of: [.timestamps, .other]))
    }

    @Test func verifierRefusesNonZeroTimesAndUnknownBoxes() throws {
        guard let input = try Self.input() else { return }
        let moovAt = input.count - Self.sequenceHeader().count
        let (clean, _) = try FormatsDrive.scrub(ISOBMFFScrubber.self, input)
        func reason(_ bytes: [UInt8]) -> String? {
            do throws(RedactionError) {
                try FormatsDrive.verify(ISOBMFFVerifier.self, bytes)
                return nil
            } catch {
                if case .verificationFailed(_, let why) = error { return why }
                return "\(error)"
            }
        }
        #expect(reason(clean) == nil)
        var timed = clean
        timed[try #require(Self.find("mdhd", in: clean, from: moovAt)) + 15] = 7
        #expect(reason(timed) == "non-zero time in 'mdhd'")
        // The unscrubbed sequence header: its times and its unknown box are refused.
        #expect(reason(input) != nil)
        var unknown = clean
        let free = try #require(Self.find("free", in: clean, from: moovAt))
        unknown.replaceSubrange((free + 4)..<(free + 8), with: Array("xown".utf8))
        #expect(reason(unknown) == "box not allowed inside the movie header's 'trak'")
    }

    @Test func aKnownBoxOutOfPlaceIsRefused() throws {
        guard Corpus.available else { return }
        let misplaced = Self.box("moov", Self.box("stsd", [0, 0, 0, 0, 0, 0, 0, 0]))
        let input = try Corpus.bytes("heic/IMG_5195.HEIC") + misplaced
        #expect(throws: RedactionError.unsupportedLayout(.heif, reason: "movie box 'stsd' inside 'moov', where it does not belong")) {
            try FormatsDrive.scrub(ISOBMFFScrubber.self, input)
        }
    }
}
