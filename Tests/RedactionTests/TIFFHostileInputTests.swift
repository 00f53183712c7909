import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Hostile TIFF input: typed errors only, never a crash, and any success verifies.
@Suite("TIFF hostile input")
struct TIFFHostileInputTests {
    /// A little-endian TIFF: header, then one directory at 8 with the given (tag, type, count, value) entries.
    static func tiff(_ entries: [(UInt16, UInt16, UInt32, UInt32)], next: UInt32 = 0, tail: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0]
        func le(_ v: UInt32, _ n: Int) { for i in 0..<n { out.append(UInt8(v >> (8 * UInt32(i)) & 0xFF)) } }
        le(UInt32(entries.count), 2)
        for (tag, type, count, value) in entries { le(UInt32(tag), 2); le(UInt32(type), 2); le(count, 4); le(value, 4) }
        le(next, 4)
        return out + tail
    }

    static let minimal: [(UInt16, UInt16, UInt32, UInt32)] = [
        (256, 3, 1, 2), (257, 3, 1, 2), (258, 3, 1, 8), (262, 3, 1, 1), (273, 4, 1, 8 + 2 + 7 * 12 + 4),
        (277, 3, 1, 1), (279, 4, 1, 4),
    ]

    @Test("A hand-made minimal TIFF scrubs and verifies (the baseline for the cases below)")
    func minimalIsAccepted() throws {
        let out = try FormatsDrive.scrubAndVerify(TIFFScrubber.self, TIFFVerifier.self, Self.tiff(Self.minimal, tail: [1, 2, 3, 4]))
        #expect(out.suffix(4) == [1, 2, 3, 4])
    }

    /// IFD1 at 102 (after the 4 strip bytes) with NewSubfileType = `subfileType`.
    static func withSecondDirectory(subfileType: UInt8) -> [UInt8] {
        tiff(minimal, next: 102, tail: [1, 2, 3, 4] + [1, 0, 254, 0, 4, 0, 1, 0, 0, 0, subfileType, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("A reduced-resolution second directory (thumbnail) is dropped; a second page is scrubbed like the first")
    func secondDirectory() throws {
        let (out, summary) = try FormatsDrive.scrub(TIFFScrubber.self, Self.withSecondDirectory(subfileType: 1))
        try FormatsDrive.verify(TIFFVerifier.self, out)
        #expect(summary.removed.contains(.thumbnail))
        #expect(out.count == 98 + 4)
        // A second page is kept now, so it must decode: this one has no width or length.
        #expect(throws: RedactionError.malformed(.tiff, offset: 8, reason: "image width or length missing")) {
            try FormatsDrive.scrub(TIFFScrubber.self, Self.withSecondDirectory(subfileType: 0))
        }
    }

    @Test(
        "Broken structures are typed errors",
        arguments: [
            ([UInt8](), "empty"),
            (Array("II*\0".utf8), "short header"),
            (Array("just some text named .tif".utf8), "text"),
            (tiff(minimal, next: 8, tail: [1, 2, 3, 4]), "directory loops to itself"),
            (tiff(minimal + [(270, 12, 0xFFFF_FFFF, 100)], tail: [1, 2, 3, 4]), "count overflow"),
            (tiff([(256, 3, 1, 2), (257, 3, 1, 2), (273, 4, 1, 1_000_000), (279, 4, 1, 4)]), "strip beyond EOF"),
            (tiff([(256, 3, 1, 2), (257, 3, 1, 2), (273, 4, 1, 8), (279, 4, 1, 0xFFFF_FFFF)]), "strip length overflow"),
            (tiff([(256, 3, 1, 2), (257, 3, 1, 2), (273, 4, 2, 0xFFFF_FFF0), (279, 4, 2, 8)]), "offset array beyond EOF"),
            (tiff([(256, 3, 1, 2), (257, 3, 1, 2), (259, 3, 1, 6), (273, 4, 1, 8), (279, 4, 1, 4)]), "old JPEG"),
            (tiff([(256, 3, 1, 2), (257, 3, 1, 2), (273, 4, 1, 8), (279, 4, 1, 4), (330, 4, 1, 8)]), "SubIFDs"),
            (tiff([(256, 3, 1, 2), (256, 3, 1, 2), (273, 4, 1, 8), (279, 4, 1, 4)]), "duplicate tag"),
            (tiff([(256, 3, 1, 2), (257, 3, 1, 2)]), "no strips"),
            ([0x49, 0x49, 42, 0, 0xFF, 0xFF, 0xFF, 0xFF], "directory beyond EOF"),
            ([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0xFF, 0xFF], "65535 entries"),
        ])
    func brokenStructures(input: [UInt8], label: String) {
        #expect(throws: RedactionError.self, "\(label)") { try FormatsDrive.scrub(TIFFScrubber.self, input) }
    }

    @Test("Every truncation of a real file is refused or still verifies")
    func truncations() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try TIFFScrubberTests.fixture(["-compress", "lzw"], in: dir))
        for cut in 0..<input.count {
            do {
                let out = try FormatsDrive.scrubAndVerify(TIFFScrubber.self, TIFFVerifier.self, Array(input[..<cut]))
                #expect(!out.isEmpty)
            } catch {}
        }
    }

    @Test("Strips pointing again and again at the same bytes cannot blow past the size limit")
    func repeatedStripsBounded() {
        let count = 1000, offsetsAt = 200, countsAt = 200 + 4 * count, dataAt = 200 + 8 * count
        var entries = Self.minimal
        entries[4] = (273, 4, UInt32(count), UInt32(offsetsAt))
        entries[6] = (279, 4, UInt32(count), UInt32(countsAt))
        var file = Self.tiff(entries)
        file += [UInt8](repeating: 0, count: dataAt + 4096 - file.count)
        func put(_ value: Int, at: Int) { for i in 0..<4 { file[at + i] = UInt8(value >> (8 * i) & 0xFF) } }
        for i in 0..<count {
            put(dataAt, at: offsetsAt + 4 * i)  // every strip starts at the same place
            put(4096, at: countsAt + 4 * i)  // and claims 4 KiB: 4 MB of output from 12 KB
        }
        #expect(throws: RedactionError.tooLarge(limit: 1 << 20)) {
            try FormatsDrive.scrub(TIFFScrubber.self, file, options: ScrubOptions(maxFileBytes: 1 << 20))
        }
    }

    @Test("Random damage to the structure is a typed error or a verified output, never a crash")
    func mutations() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try TIFFScrubberTests.fixture(["-compress", "lzw"], in: dir))
        var mutator = FormatsMutator(seed: 2)
        for _ in 0..<400 {
            let damaged = mutator.mutate(input, window: input.count)
            do { _ = try FormatsDrive.scrubAndVerify(TIFFScrubber.self, TIFFVerifier.self, damaged) } catch {}
        }
    }
}
