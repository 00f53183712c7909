import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Issue 10 item 3: a phone HEIC's thumbnail item (a `thmb` reference to the primary) was kept.
/// The iPhone 13 Pro Max file in the corpus carries one (item 50, a 'hvc1' picture).
@Suite("HEIF thumbnail items")
struct HEIFThumbnailTests {
    static let phone = "heic/mobile/iphone_13_pro_max.HEIC"

    @Test("The thumbnail item leaves iinf, iloc, iref and ipma, its bytes are zeroed, nothing else moves")
    func thumbnailItemIsDropped() throws {
        guard Corpus.available else { return }
        let input = try Corpus.bytes(Self.phone)
        let before = HEIFTables(input)
        let thumbnails = before.references.filter { $0.type == "thmb" }.map(\.from)
        try #require(thumbnails == [50], "precondition: the corpus file's thumbnail is item 50")
        let extents = try #require(before.locations[50])
        #expect(extents.allSatisfy { !$0.isEmpty } && extents.contains { input[$0].contains { $0 != 0 } })

        let (clean, report) = try Redactor(policy: RedactionPolicy()).redact(input)
        #expect(report.removed.contains(.thumbnail))
        let after = HEIFTables(clean)
        #expect(after.items[50] == nil && after.locations[50] == nil && !after.associated.contains(50))
        #expect(!after.references.contains { $0.type == "thmb" || $0.from == 50 || $0.to.contains(50) })
        for range in extents { #expect(clean[range].allSatisfy { $0 == 0 }, "thumbnail bytes \(range) remain") }
        // Everything else is where it was: the same items (less the thumbnail), the same
        // extents, the same meta size and file size.
        #expect(clean.count == input.count && after.metaSize == before.metaSize)
        #expect(Set(after.items.keys) == Set(before.items.keys).subtracting([50]))
        for (id, ranges) in after.locations { #expect(before.locations[id] == ranges, "item \(id) moved") }
        #expect(after.references.count == before.references.count - 1)
        // exiftool reads the output and sees one fewer picture item, no thumbnail.
        let scratch = try Scratch()
        let path = try scratch.write("clean.heic", clean)
        let tags = try Tools.exiftool(path)
        #expect(tags["File:FileType"] == "HEIC")
        #expect(!tags.keys.contains { $0.contains("Thumbnail") || $0.contains("Preview") })
        // Scrubbing again changes nothing.
        #expect(try Redactor(policy: RedactionPolicy()).redact(clean).output == clean)
    }

    @Test("The primary picture decodes to the same pixels after the thumbnail is dropped")
    func primaryPixelsIdentical() throws {
        guard Corpus.available else { return }
        let input = try Corpus.bytes(Self.phone)
        let clean = try Redactor(policy: RedactionPolicy()).redact(input).output
        let scratch = try Scratch()
        let a = try scratch.write("in.heic", input), b = try scratch.write("out.heic", clean)
        let signatures = try Tools.pixelSignatures([a, b])
        #expect(!signatures[0].isEmpty && signatures[0] == signatures[1])
    }

    @Test("The verifier refuses an output that still names a thumbnail")
    func verifierRefusesThumbnailReference() throws {
        guard Corpus.available else { return }
        var clean = try Redactor(policy: RedactionPolicy()).redact(try Corpus.bytes(Self.phone)).output
        // Rename the `auxl` reference (item 51 → 49) to `thmb`: the rest stays valid.
        let needle = Array("auxl".utf8)
        let at = try #require((0..<(clean.count - 4)).first { clean[$0..<($0 + 4)].elementsEqual(needle) })
        let auxl = at..<(at + 4)
        clean.replaceSubrange(auxl, with: Array("thmb".utf8))
        #expect(throws: RedactionError.verificationFailed(.heif, reason: "a thumbnail picture remains")) {
            try FormatsDrive.verify(ISOBMFFVerifier.self, clean)
        }
    }
}
