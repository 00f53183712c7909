import TiplinePolicy

/// The scrubber side's last check for formats whose image data it copies unread (TIFF strips
/// and tiles, HEIF items): that data could be made to cover or hold an XMP packet, an Exif
/// block or an IPTC resource, which would then be kept as "pixels". A rebuilt output that still holds one of
/// these signatures is refused here, before the verifier (which has its own, separate net)
/// sees it. Written apart from `TIFFVerifierSignatures` so one bug cannot pass both.
enum EmbeddedMetadataNet {
    private static let markers: [(text: String, name: String)] = [
        ("<x:xmpmeta", "an XMP packet"), ("<?xpacket", "an XMP packet"), ("http://ns.adobe.com/xap/1.0/", "an XMP packet"),
        ("Exif\0\0MM\0*", "an Exif block"), ("Exif\0\0II*\0", "an Exif block"),
        ("Photoshop 3.0\0", "a Photoshop/IPTC resource"), ("8BIM\u{04}\u{04}", "an IPTC resource"),
    ]

    static func refuseMarkers(in output: [UInt8], format: MediaFormat) throws(RedactionError) {
        for (text, name) in markers {
            if XMPScan.contains(output[...], Array(text.utf8)) {
                throw .unsupportedLayout(format, reason: "its image data holds \(name); metadata disguised as pixels is not kept")
            }
        }
    }
}
