import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Hostile WebP input: each case must end in a typed `RedactionError` (typed throws make any
/// other error impossible), never a crash, and a success must always verify.
@Suite("WebP hostile input")
struct WebPHostileInputTests {
    static func chunk(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        var out = Array(type.utf8)
        WebPRewriter.appendLE32(payload.count, to: &out)
        return out + payload + (payload.count % 2 == 1 ? [0] : [])
    }

    static func riff(_ body: [UInt8], size: Int? = nil) -> [UInt8] {
        var out = Array("RIFF".utf8)
        WebPRewriter.appendLE32(size ?? body.count + 4, to: &out)
        return out + Array("WEBP".utf8) + body
    }

    @Test("An empty file is refused as empty")
    func emptyFile() {
        #expect(throws: RedactionError.empty) { try FormatsDrive.scrub(WebPScrubber.self, []) }
    }

    @Test("Every truncation of a real file is refused or still verifies")
    func truncations() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try WebPScrubberTests.fixture("animated", in: dir))
        var refused = 0
        for cut in stride(from: 0, to: input.count, by: 1) {
            do { _ = try FormatsDrive.scrubAndVerify(WebPScrubber.self, WebPVerifier.self, Array(input[..<cut])) } catch {
                refused += 1
            }
        }
        #expect(refused == input.count)
    }

    @Test(
        "Sizes that overflow or lie are typed errors",
        arguments: [
            (riff(chunk("VP8L", [0x2F, 0, 0, 0, 0]), size: 0xFFFF_FFFF), "riff size"),
            (riff(Array("VP8L".utf8) + [0xF0, 0xFF, 0xFF, 0xFF, 0x2F]), "chunk size"),
            (riff(chunk("EXIF", [1, 2]) + chunk("VP8L", [0x2F])), "first chunk"),
            (riff(chunk("VP8X", [0, 0])), "short VP8X"),
            (riff(chunk("VP8X", Array(repeating: 0, count: 10)) + chunk("ANMF", [1, 2, 3])), "short frame"),
            (riff(chunk("VP8X", Array(repeating: 0, count: 10)) + chunk("XMP ", [1])), "no image"),
            (Array("RIFF\u{4}\0\0\0WEBP".utf8), "no chunks"),
            (Array("This is a text file named .webp".utf8), "text"),
        ])
    func lyingSizes(input: [UInt8], label: String) {
        #expect(throws: RedactionError.self, "\(label)") { try FormatsDrive.scrub(WebPScrubber.self, input) }
    }

    @Test("A file over the policy limit is refused while it arrives")
    func tooLarge() {
        let options = ScrubOptions(maxFileBytes: 100)
        #expect(throws: RedactionError.tooLarge(limit: 100)) {
            try FormatsDrive.scrub(WebPScrubber.self, Array(repeating: 0, count: 101), options: options, piece: 10)
        }
    }

    @Test("Unknown chunks, including ones inside animation frames, are dropped")
    func unknownChunksDropped() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try FormatsSupport.read(try WebPScrubberTests.fixture("lossless", in: dir))
        let input = Self.riff(Array(original[12...]) + Self.chunk("ZZZZ", Array("secret".utf8)))
        let (out, summary) = try FormatsDrive.scrub(WebPScrubber.self, input)
        try FormatsDrive.verify(WebPVerifier.self, out)
        #expect(summary.removed.contains(.other))
        #expect(!WebPScrubberTests.contains(out, "secret"))
    }

    @Test("Random damage to the structure is a typed error or a verified output, never a crash")
    func mutations() throws {
        let dir = try FormatsSupport.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try FormatsSupport.read(try WebPScrubberTests.fixture("animated", in: dir))
        var mutator = FormatsMutator(seed: 1)
        for _ in 0..<400 {
            let damaged = mutator.mutate(input, window: input.count)
            do { _ = try FormatsDrive.scrubAndVerify(WebPScrubber.self, WebPVerifier.self, damaged) } catch {}
        }
    }
}
