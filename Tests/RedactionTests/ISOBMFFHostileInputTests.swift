import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Hostile HEIF input: typed errors only, never a crash, and any success verifies.
@Suite("HEIF hostile input")
struct ISOBMFFHostileInputTests {
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let size = payload.count + 8
        return [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + Array(type.utf8) + payload
    }
    static let ftyp = box("ftyp", Array("heic\0\0\0\0mif1heic".utf8))
    static let hdlr = box("hdlr", [0, 0, 0, 0, 0, 0, 0, 0] + Array("pict".utf8) + [UInt8](repeating: 0, count: 13))

    /// A picture meta box holding the given children after hdlr.
    static func meta(_ children: [UInt8]) -> [UInt8] { box("meta", [0, 0, 0, 0] + hdlr + children) }

    /// infe v2 for item `id` of `type`.
    static func infe(_ id: UInt8, _ type: String) -> [UInt8] { box("infe", [2, 0, 0, 0, 0, id, 0, 0] + Array(type.utf8) + [0]) }

    /// Abusive inputs, built one statement at a time so the type checker stays fast.
    static var brokenCases: [([UInt8], String)] {
        var cases: [([UInt8], String)] = []
        do {
            let input: [UInt8] = [UInt8]()
            cases.append((input, "empty"))
        }
        do {
            let input: [UInt8] = Array("ftyp".utf8)
            cases.append((input, "short"))
        }
        do {
            let input: [UInt8] = Array("a text file named .heic, not a box".utf8)
            cases.append((input, "text"))
        }
        do {
            let input: [UInt8] = ftyp + [0, 0, 0, 1] + Array("mdat".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            cases.append((input, "largesize overflow"))
        }
        do {
            let input: [UInt8] = ftyp + [0, 0, 0, 1] + Array("mdat".utf8) + [0, 0, 0, 0, 0, 0, 0, 4]
            cases.append((input, "largesize below header"))
        }
        do {
            let input: [UInt8] = ftyp + [0, 0, 0, 3] + Array("free".utf8)
            cases.append((input, "size below header"))
        }
        do {
            let input: [UInt8] = ftyp + [0xFF, 0xFF, 0xFF, 0xF0] + Array("mdat".utf8)
            cases.append((input, "size beyond EOF"))
        }
        do {
            let input: [UInt8] = ftyp + box("mdat", [1, 2, 3])
            cases.append((input, "no picture meta"))
        }
        do {
            let input: [UInt8] = box("ftyp", Array("isom\0\0\0\0mp41".utf8)) + meta(box("iinf", [0, 0, 0, 0, 0, 0]))
            cases.append((input, "not an image brand"))
        }
        do {
            let input: [UInt8] = ftyp + meta([])
            cases.append((input, "no item info"))
        }
        do {
            let input: [UInt8] = ftyp + meta(box("iinf", [0, 0, 0, 0, 0, 9] + infe(1, "hvc1")))
            cases.append((input, "item count lies"))
        }
        do {
            let input: [UInt8] = ftyp + meta(box("iinf", [0, 0, 0, 0, 0, 1] + infe(1, "zzzz")))
            cases.append((input, "unknown item type"))
        }
        do {
            let input: [UInt8] = ftyp + meta(box("iinf", [0, 0, 0, 0, 0, 1] + infe(1, "Exif")) + box("iloc", [1, 0, 0, 0, 0x44, 0x40, 0xFF, 0xFF]))
            cases.append((input, "iloc count lies"))
        }
        do {
            let input: [UInt8] = ftyp + meta(box("iinf", [0, 0, 0, 0, 0, 1] + infe(1, "Exif")) + box("iloc", [3, 0, 0, 0, 0x44, 0x40, 0, 0]))
            cases.append((input, "iloc version 3"))
        }
        do {
            let input: [UInt8] = ftyp + meta(box("iinf", [0, 0, 0, 0, 0, 1] + box("infe", [0, 0, 0, 0, 0, 1, 0, 0])))
            cases.append((input, "infe version 0"))
        }
        let exifItem = box("iinf", [0, 0, 0, 0, 0, 1] + infe(1, "Exif"))
        let farExtent: [UInt8] = [1, 0, 0, 0, 0x44, 0x40, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xFF, 0, 0, 0, 0, 16]
        cases.append((ftyp + meta(exifItem + box("iloc", farExtent)), "Exif extent beyond EOF"))
        cases.append((ftyp + meta(exifItem + box("iloc", [1, 0, 0, 0, 0x44, 0x40, 0xFF, 0xFF])), "iloc count lies"))
        cases.append((ftyp + meta(exifItem + box("iloc", [3, 0, 0, 0, 0x44, 0x40, 0, 0])), "iloc version 3"))
        return cases
    }

    @Test("Broken or abusive boxes are typed errors", arguments: brokenCases)
    func brokenBoxes(input: [UInt8], label: String) {
        #expect(throws: RedactionError.self, "\(label)") { try FormatsDrive.scrub(ISOBMFFScrubber.self, input) }
    }

    @Test("Absurdly deep movie boxes are refused, not recursed into")
    func deepNesting() {
        var nested: [UInt8] = []
        for _ in 0..<10_000 { nested = Self.box("trak", nested) }
        let input = Self.ftyp + Self.box("moov", nested)
        #expect(throws: RedactionError.self) { try FormatsDrive.scrub(ISOBMFFScrubber.self, input) }
    }

    @Test("Size 0 means to the end of the file and is handled like any other box")
    func sizeZeroToEnd() throws {
        let hidden = Self.meta(Self.box("iinf", [0, 0, 0, 0, 0, 1] + Self.infe(1, "hvc1")))
        let input = Self.ftyp + hidden + [0, 0, 0, 0] + Array("udta".utf8) + Array("secret place".utf8)
        let out = try FormatsDrive.scrubAndVerify(ISOBMFFScrubber.self, ISOBMFFVerifier.self, input)
        #expect(out.count == input.count && out.suffix(12).allSatisfy { $0 == 0 })
    }

    @Test("Every truncation of a real file is refused or still verifies")
    func truncations() throws {
        guard let source = ISOBMFFScrubberTests.corpusFiles.first(where: { $0.lastPathComponent == "samplefilehub.heif" }) else { return }
        let input = try FormatsSupport.read(source)
        // Every byte of the boxes before the picture data, then a coarse stride through it.
        for cut in Array(0..<600) + Array(stride(from: 600, to: input.count, by: 499)) {
            do { _ = try FormatsDrive.scrubAndVerify(ISOBMFFScrubber.self, ISOBMFFVerifier.self, Array(input[..<cut])) } catch {}
        }
    }

    @Test("Random damage to the structure is a typed error or a verified output, never a crash")
    func mutations() throws {
        guard let source = ISOBMFFScrubberTests.corpusFiles.first(where: { $0.lastPathComponent == "samplefilehub.heif" }) else { return }
        let input = try FormatsSupport.read(source)
        var mutator = FormatsMutator(seed: 3)
        for _ in 0..<400 {
            let damaged = mutator.mutate(input, window: 600)
            do { _ = try FormatsDrive.scrubAndVerify(ISOBMFFScrubber.self, ISOBMFFVerifier.self, damaged) } catch {}
        }
    }
}
