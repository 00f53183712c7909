import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct SnifferAndReportTests {
    static func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
        let size = 16 + 4 * compatible.count
        return [0, 0, 0, UInt8(size)] + Array("ftyp".utf8) + Array(major.utf8) + [0, 0, 0, 0] + compatible.flatMap { Array($0.utf8) }
    }

    @Test func magicBytesDecideTheFormat() {
        let cases: [([UInt8], FormatSniffer.Result)] = [
            ([0xFF, 0xD8, 0xFF, 0xE0], .format(.jpeg)),
            (PNGFixture.signature, .format(.png)),
            (Array("GIF87a".utf8), .format(.gif)),
            (Array("GIF89a".utf8), .format(.gif)),
            (Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WEBPVP8X".utf8), .format(.webp)),
            (Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WAVEfmt ".utf8), .format(.wav)),
            (Array("RF64".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WAVEds64".utf8), .format(.wav)),
            (Array("RIFF".utf8) + [1, 2, 3, 4] + Array("AVI LIST".utf8), .unsupported),
            (Array("fLaC".utf8) + [0, 0, 0, 34], .format(.flac)),
            (Array("OggS".utf8) + [0, 2], .format(.ogg)),
            (Array("ID3".utf8) + [4, 0, 0, 0, 0, 1, 0x7F], .leadingID3(tagBytes: 10 + 255)),
            (Array("ID3".utf8) + [4, 0, 0x10, 0, 0, 0, 5], .leadingID3(tagBytes: 10 + 5 + 10)),
            (Array("ID3".utf8) + [9, 0, 0, 0, 0, 0, 5], .unsupported),
            ([0xFF, 0xFB, 0x90, 0x64], .format(.mp3)),
            ([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC, 0x21], .unsupported),  // AAC in ADTS is not MP3
            ([0, 0, 0, 8] + Array("wide".utf8) + [0, 0, 0, 8] + Array("mdat".utf8), .format(.mp4)),
            ([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0], .format(.tiff)),
            ([0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8], .format(.tiff)),
            (Self.ftyp("heic", ["mif1", "heic"]), .format(.heif)),
            (Self.ftyp("mif1", ["avif"]), .format(.heif)),
            (Self.ftyp("isom", ["isom", "mp41"]), .format(.mp4)),
            (Self.ftyp("qt  ", ["qt  "]), .format(.mp4)),
            (Array("%PDF-1.7\n".utf8), .unsupported),
            (Array("<html>".utf8), .unsupported),
            ([0xFF, 0xD8], .needMoreBytes),
            (Array("GIF8".utf8), .needMoreBytes),
            (Array(Self.ftyp("heic", ["mif1"]).prefix(12)), .needMoreBytes),
            ([], .needMoreBytes),
        ]
        for (bytes, expected) in cases {
            #expect(FormatSniffer.sniff(bytes) == expected, "\(bytes.prefix(12))")
        }
    }

    @Test func reportJSONCarriesCategoriesOnly() throws {
        let scratch = try Scratch()
        let (_, report) = try Redactor(policy: RedactionPolicy()).redact(try JPEGFixture.planted(in: scratch))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(json.hasPrefix("{\"bytes_in\":\(report.bytesIn),\"bytes_out\":\(report.bytesOut),\"format\":\"jpeg\","))
        #expect(
            json.hasSuffix(
                "\"kept\":[\"color-profile\",\"orientation\"],\"removed\":[\"authorship\",\"comment\",\"device\",\"editing\",\"location\",\"other\",\"thumbnail\",\"timestamps\",\"trailer\"]}"
            ))
        #expect(Oracle.canariesFound(in: Array(json.utf8)) == [])
        #expect(try JSONDecoder().decode(RedactionReport.self, from: Data(json.utf8)) == report)
    }

    @Test func errorMessagesNameTheProblemAndWhatToDo() {
        let errors: [RedactionError] = [
            .unsupportedFormat, .formatNotAccepted(.tiff), .empty, .tooLarge(limit: 10), .malformed(.png, offset: 3, reason: "x"),
            .truncated(.gif, offset: 9), .unsupportedLayout(.jpeg, reason: "y"), .verificationFailed(.jpeg, reason: "z"),
        ]
        for e in errors {
            #expect(e.description.contains("; "), "\(e)")
            #expect(!e.description.contains("\n"))
        }
    }

    @Test func everyRegisteredFormatHasAMatchingScrubberAndVerifier() {
        #expect(Set(FormatRegistry.entries.keys).isSuperset(of: [.jpeg, .png, .gif]))
        for (format, entry) in FormatRegistry.entries {
            #expect(type(of: entry.makeScrubber(ScrubOptions())).format == format)
            #expect(type(of: entry.makeVerifier(ScrubOptions())).format == format)
        }
    }
}
