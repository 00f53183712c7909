import TiplinePolicy

/// Independent re-read of a scrubbed WebP. Written separately from `WebPScrubber` (no shared
/// parsing code) so a bug in one is caught by the other. Passes only when the RIFF size matches
/// the file exactly (no trailing bytes), every chunk is one that decodes the picture, no XMP or
/// unknown chunk remains, any EXIF chunk is exactly the 26-byte orientation-only block, and the
/// VP8X flags claim nothing that is absent.
public struct WebPVerifier: WholeFileVerifier {
    public static let format = MediaFormat.webp
    private let options: ScrubOptions
    private var data: [UInt8] = []

    public init(options: ScrubOptions) { self.options = options }

    public mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) {
        try data.appendHeldWhole(output, limit: options.maxFileBytes)
    }

    public mutating func verify(whole output: [UInt8]) throws(RedactionError) {
        data = output
        try finish()
    }

    private func fail(_ reason: String) -> RedactionError { .verificationFailed(.webp, reason: reason) }

    private func tag(_ at: Int) -> String { String(decoding: data[at..<(at + 4)], as: UTF8.self) }

    private func size(_ at: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(data[at + $1]) << (8 * $1) }
    }

    public mutating func finish() throws(RedactionError) {
        guard data.count >= 20, tag(0) == "RIFF", tag(8) == "WEBP" else { throw fail("no RIFF WEBP header") }
        guard size(4) + 8 == data.count else { throw fail("RIFF size does not match the file (trailing or missing bytes)") }
        var pos = 12
        var seen: [String] = []
        var exifOK = false
        while pos < data.count {
            guard data.count - pos >= 8 else { throw fail("stray bytes after the last chunk") }
            let name = tag(pos), length = size(pos + 4)
            let next = pos + 8 + length + (length % 2)
            guard length <= data.count - pos - 8, next <= data.count else { throw fail("chunk runs past the end") }
            switch name {
            case "VP8 ", "VP8L", "ALPH", "ANIM":
                break
            case "VP8X":
                guard seen.isEmpty, length == 10 else { throw fail("misplaced VP8X chunk") }
            case "ICCP":
                guard options.keepICCProfile else { throw fail("colour profile left although the policy drops it") }
                try ICCOutputCheck.check(data[(pos + 8)..<(pos + 8 + length)], format: .webp)
            case "ANMF":
                try checkFrame(from: pos + 8 + 16, to: pos + 8 + length)
            case "EXIF":
                guard options.keepOrientation, length == 26, !exifOK else { throw fail("EXIF chunk left") }
                let expected: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0, 0, 0, 0x01, 0, 0x12, 0x01, 0x03, 0, 0x01, 0, 0, 0]
                let value = data[pos + 8 + 18]
                guard Array(data[(pos + 8)..<(pos + 26)]) == expected, (2...8).contains(value),
                    data[(pos + 27)..<(pos + 34)].allSatisfy({ $0 == 0 })
                else { throw fail("EXIF chunk holds more than the orientation") }
                exifOK = true
            default:
                throw fail("chunk '\(name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 } ? name : "?")' left")
            }
            if length % 2 == 1, data[pos + 8 + length] != 0 { throw fail("non-zero padding byte") }
            seen.append(name)
            pos = next
        }
        guard let first = seen.first, ["VP8 ", "VP8L", "VP8X"].contains(first) else { throw fail("no image chunk first") }
        if first == "VP8X" {
            let flags = data[20]
            guard flags & 0x04 == 0 else { throw fail("VP8X still announces XMP") }
            guard flags & 0xC1 == 0 else { throw fail("VP8X reserved flags set") }
            guard (flags & 0x08 != 0) == exifOK else { throw fail("VP8X EXIF flag disagrees with the chunks") }
            guard (flags & 0x20 != 0) == seen.contains("ICCP") else { throw fail("VP8X ICC flag disagrees with the chunks") }
        } else {
            guard seen.count == 1 else { throw fail("simple WebP with extra chunks") }
        }
        try TIFFVerifierSignatures.check(data[...], format: .webp)
        data = []
    }

    private func checkFrame(from start: Int, to end: Int) throws(RedactionError) {
        guard start <= end else { throw fail("ANMF frame too short") }
        var pos = start
        while pos < end {
            guard end - pos >= 8 else { throw fail("stray bytes inside an ANMF frame") }
            let name = tag(pos), length = size(pos + 4)
            guard ["ALPH", "VP8 ", "VP8L"].contains(name) else { throw fail("unexpected chunk inside an ANMF frame") }
            guard length <= end - pos - 8 else { throw fail("frame chunk runs past its frame") }
            pos += 8 + length + (length % 2)
        }
    }
}
