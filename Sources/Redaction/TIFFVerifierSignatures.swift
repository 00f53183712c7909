import TiplinePolicy

/// A last, format-blind net shared by the WebP, HEIF and TIFF verifiers (never by a scrubber):
/// fails if the output still contains the byte signature of an Exif block, an XMP packet or a
/// Photoshop/IPTC resource anywhere. The signatures are 9+ bytes long, so a false alarm inside
/// compressed pixel data is vanishingly unlikely, and a false alarm fails closed anyway.
enum TIFFVerifierSignatures {
    static let signatures: [(bytes: [UInt8], name: String)] = [
        (Array("Exif\0\0MM\0*".utf8), "Exif block"),
        (Array("Exif\0\0II*\0".utf8), "Exif block"),
        (Array("<x:xmpmeta".utf8), "XMP packet"),
        (Array("<?xpacket".utf8), "XMP packet"),
        (Array("http://ns.adobe.com/xap/1.0/".utf8), "XMP packet"),
        (Array("Photoshop 3.0\0".utf8), "Photoshop/IPTC resource"),
        (Array("8BIM\u{04}\u{04}".utf8), "IPTC resource"),
    ]

    static func check(_ data: ArraySlice<UInt8>, format: MediaFormat) throws(RedactionError) {
        for (signature, name) in signatures where contains(data, signature) {
            throw .verificationFailed(format, reason: "\(name) signature found in the output")
        }
    }

    private static func contains(_ data: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, data.count >= needle.count else { return false }
        var i = data.startIndex
        let last = data.endIndex - needle.count
        while i <= last {
            if data[i] == first, data[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
