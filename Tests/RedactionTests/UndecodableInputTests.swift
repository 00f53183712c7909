import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 10 item 3: inputs whose structure holds together but whose picture does not decode
/// were given "clean" outputs. Each case here is a real ImageMagick file damaged the way a cut
/// upload or a broken tool damages it, with every checksum and length still right, so only the
/// verifiers' decodability checks stand between it and the vault.
@Suite("Inputs that do not decode are refused")
struct UndecodableInputTests {
    static func file(_ scratch: Scratch, _ name: String, _ args: [String]) throws -> [UInt8] {
        try Tools.run("convert", args + [scratch.path(name)])
        return try scratch.read(name)
    }

    static let picture = ["-size", "40x30", "gradient:red-blue", "-fill", "yellow", "-draw", "circle 10,10 15,15", "-strip"]

    @Test("PNG: an IDAT cut in half (CRC recomputed) is refused as ending early")
    func pngShortIDAT() throws {
        let scratch = try Scratch()
        var chunks = PNGFixture.chunks(try Self.file(scratch, "a.png", Self.picture))
        let idat = try #require(chunks.firstIndex { $0.type == "IDAT" })
        chunks[idat].data = Array(chunks[idat].data.prefix(chunks[idat].data.count / 2))
        let broken = PNGFixture.assemble(chunks)
        #expect(refusal(broken) == .undecodable(.png, reason: "the picture data ends early"))
    }

    @Test("PNG: a row with filter type 7 is refused")
    func pngBadFilter() throws {
        let scratch = try Scratch()
        let rows = (0..<4).flatMap { row in [UInt8(row == 2 ? 7 : 0)] + [UInt8](repeating: 0x80, count: 4 * 3) }
        let ihdr = PNGFixture.Chunk(type: "IHDR", data: PNGFixture.be(4) + PNGFixture.be(4) + [8, 2, 0, 0, 0])
        let png = PNGFixture.assemble([
            ihdr, PNGFixture.Chunk(type: "IDAT", data: PNGFixture.zlibStored(rows)), PNGFixture.Chunk(type: "IEND", data: []),
        ])
        #expect(refusal(png) == .undecodable(.png, reason: "a row of the picture has an invalid filter"))
        // The same rows with valid filters pass: the check is the filter byte, nothing else.
        let good = PNGFixture.assemble([
            ihdr, PNGFixture.Chunk(type: "IDAT", data: PNGFixture.zlibStored(rows.map { $0 == 7 ? 0 : $0 })),
            PNGFixture.Chunk(type: "IEND", data: []),
        ])
        #expect(try Redactor(policy: RedactionPolicy()).redact(good).output == good)
        _ = scratch
    }

    @Test("PNG: interlaced (Adam7) pictures pass, and one missing its last pass is refused")
    func pngInterlaced() throws {
        let scratch = try Scratch()
        let png = try Self.file(scratch, "i.png", Self.picture + ["-interlace", "PNG"])
        #expect(png[8 + 8 + 12] == 1, "precondition: interlaced")
        #expect(try Redactor(policy: RedactionPolicy()).redact(png).output == png)
        var chunks = PNGFixture.chunks(png)
        let idat = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        let inflated = try #require(PNGInflate.inflate(idat[...], limit: 1 << 20))
        chunks.removeAll { $0.type == "IDAT" }
        chunks.insert(PNGFixture.Chunk(type: "IDAT", data: PNGFixture.zlibStored(Array(inflated.dropLast(41 * 3 + 1)))), at: chunks.count - 1)
        #expect(refusal(PNGFixture.assemble(chunks)) == .undecodable(.png, reason: "the picture data ends early"))
    }

    @Test("JPEG: a scan with no entropy-coded data is refused")
    func jpegEmptyScan() throws {
        let scratch = try Scratch()
        let jpeg = try Self.file(scratch, "a.jpg", Self.picture)
        let sos = try #require((2..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        let length = Int(jpeg[sos + 2]) << 8 | Int(jpeg[sos + 3])
        let broken = Array(jpeg[..<(sos + 2 + length)]) + [0xFF, 0xD9]
        #expect(refusal(broken) == .undecodable(.jpeg, reason: "a scan holds no picture data"))
    }

    @Test("JPEG: a file whose quantisation tables were dropped is refused")
    func jpegMissingDQT() throws {
        let scratch = try Scratch()
        var jpeg = try Self.file(scratch, "a.jpg", Self.picture)
        while let dqt = (2..<(jpeg.count - 1)).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDB }) {
            jpeg.removeSubrange(dqt..<(dqt + 2 + (Int(jpeg[dqt + 2]) << 8 | Int(jpeg[dqt + 3]))))
        }
        #expect(refusal(jpeg) == .undecodable(.jpeg, reason: "a quantisation table is missing"))
    }

    @Test("JPEG: a file holding only headers and EOI is refused")
    func jpegNoScan() throws {
        let scratch = try Scratch()
        let jpeg = try Self.file(scratch, "a.jpg", Self.picture)
        let sos = try #require((2..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        // The scrubber already refuses this one itself; the verifier's check is the second line.
        let error = refusal(Array(jpeg[..<sos]) + [0xFF, 0xD9])
        guard case .malformed(.jpeg, _, "end of image before any scan") = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    @Test("TIFF: an uncompressed strip shorter than its rows is refused")
    func tiffShortStrip() throws {
        let scratch = try Scratch()
        var tiff = try Self.file(scratch, "a.tif", Self.picture + ["-compress", "none"])
        // ImageMagick writes little-endian; find StripByteCounts (279) in IFD0 and shrink it.
        let ifd = Int(tiff[4]) | Int(tiff[5]) << 8 | Int(tiff[6]) << 16 | Int(tiff[7]) << 24
        let count = Int(tiff[ifd]) | Int(tiff[ifd + 1]) << 8
        let entry = try #require((0..<count).map { ifd + 2 + 12 * $0 }.first { tiff[$0] == 0x17 && tiff[$0 + 1] == 0x01 })
        try #require(tiff[entry + 4] == 1, "precondition: one strip")
        let bytes = (0..<4).reduce(0) { $0 | Int(tiff[entry + 8 + $1]) << (8 * $1) } - 100
        tiff.replaceSubrange((entry + 8)..<(entry + 12), with: (0..<4).map { UInt8(bytes >> (8 * $0) & 0xFF) })
        #expect(refusal(tiff) == .undecodable(.tiff, reason: "an uncompressed strip or tile is shorter than its rows"))
    }

    @Test("HEIF: a primary item without its size property is refused")
    func heifPrimaryWithoutSize() throws {
        guard Corpus.available else { return }
        var heif = try Corpus.bytes("heic/samplefilehub.heif")
        let needle = Array("ispe".utf8)
        let at = try #require((0..<(heif.count - 4)).first { heif[$0..<($0 + 4)].elementsEqual(needle) })
        heif.replaceSubrange(at..<(at + 4), with: Array("ispf".utf8))  // an unknown property now
        #expect(refusal(heif) == .undecodable(.heif, reason: "the main picture has no size"))
    }

    @Test("Cut and garbled PNG, JPEG, WebP and TIFF files are refused or still decode", arguments: ["png", "jpg", "webp", "tif"])
    func truncatedAndGarbled(ext: String) throws {
        let scratch = try Scratch()
        let whole = try Self.file(scratch, "a.\(ext)", Self.picture + (ext == "tif" ? ["-compress", "none"] : []))
        #expect(try Redactor(policy: RedactionPolicy()).redact(whole).report.bytesIn == whole.count, "precondition: the whole file is accepted")
        var generator = SeededGenerator(state: 10)
        for fraction in [0.25, 0.5, 0.75, 0.9] {
            let cut = Array(whole.prefix(Int(Double(whole.count) * fraction)))
            #expect(refusal(cut) != nil, "\(ext) cut at \(fraction)")
        }
        // Garbling the second half's bytes: refused (bad CRC, broken structure or undecodable)
        // or, when the damage only changes pixel values, accepted with the same damage copied.
        for _ in 0..<8 {
            var garbled = whole
            for _ in 0..<16 { garbled[Int.random(in: (whole.count / 2)..<whole.count, using: &generator)] ^= 0x5A }
            if let result = try? Redactor(policy: RedactionPolicy()).redact(garbled) {
                let path = try scratch.write("g.\(ext)", result.output)
                #expect(!(try Tools.pixelSignatures([path])[0]).isEmpty, "an accepted garbled \(ext) decodes")
            }
        }
    }
}
