/// The JPEG allowlist: what each APPn/COM segment is, and whether it stays. Everything that
/// is not needed to decode or colour the picture goes; what goes is named by category.
enum JPEGSegmentPolicy {
    enum Decision: Equatable {
        case keep
        /// Keep a rewritten form (a JFIF header without its thumbnail, a canonical Adobe header).
        case keepRewritten([UInt8])
        /// An EXIF block: dropped, but read first for orientation and the opt-ins.
        case exif
        /// One part of an ICC profile the policy keeps: held until the whole profile is known.
        case iccPart
        case drop(Set<MetadataCategory>)
    }

    static let jfif = Array("JFIF\0".utf8)
    static let jfxx = Array("JFXX\0".utf8)
    static let exif = Array("Exif\0\0".utf8)
    static let xmp = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
    static let xmpExtension = Array("http://ns.adobe.com/xmp/extension/\0".utf8)
    static let icc = Array("ICC_PROFILE\0".utf8)
    static let mpf = Array("MPF\0".utf8)
    static let adobe = Array("Adobe".utf8)
    static let photoshop = Array("Photoshop 3.0\0".utf8)

    /// JFIF APP0 body without a thumbnail: identifier, version, units, densities, 0×0 thumbnail.
    static let jfifBodyLength = 14
    /// Adobe APP14 body: "Adobe", version, flags0, flags1, colour transform (what CMYK/YCCK decoding reads).
    static let adobeBodyLength = 12

    static func decide(marker: UInt8, body: [UInt8], options: ScrubOptions) -> Decision {
        func starts(_ p: [UInt8]) -> Bool { body.count >= p.count && body[0..<p.count].elementsEqual(p) }
        switch marker {
        case 0xE0 where starts(jfif):
            guard body.count >= jfifBodyLength else { return .drop([.other]) }
            if body.count == jfifBodyLength && body[12] == 0 && body[13] == 0 { return .keep }
            var rewritten = Array(body[0..<jfifBodyLength])
            rewritten[12] = 0
            rewritten[13] = 0
            return .keepRewritten(rewritten)
        case 0xE0 where starts(jfxx):
            return .drop([.thumbnail])
        case 0xE1 where starts(exif):
            return .exif
        case 0xE1 where starts(xmp), 0xE1 where starts(xmpExtension):
            return .drop(XMPScan.categories(in: body[...]))
        case 0xE2 where starts(icc):
            return options.keepICCProfile ? .iccPart : .drop([.other])
        case 0xE2 where starts(mpf):
            return .drop([.thumbnail])
        case 0xED where starts(photoshop):
            return .drop([.authorship, .editing])
        case 0xEE where starts(adobe):
            guard body.count >= adobeBodyLength else { return .drop([.other]) }
            return body.count == adobeBodyLength ? .keep : .keepRewritten(Array(body[0..<adobeBodyLength]))
        case 0xFE:
            return .drop([.comment])
        default:
            return .drop([.other])
        }
    }
}

/// Names what an XMP packet held, by looking for well-known property names. A packet matching
/// none still counts as `other`: removed metadata is never reported as nothing.
enum XMPScan {
    static let needles: [(String, MetadataCategory)] = [
        ("exif:GPS", .location), ("GPSLatitude", .location), ("photoshop:City", .location),
        ("Iptc4xmpCore:Location", .location),
        ("tiff:Make", .device), ("tiff:Model", .device), ("SerialNumber", .device), ("aux:Lens", .device),
        ("CreateDate", .timestamps), ("ModifyDate", .timestamps), ("DateTimeOriginal", .timestamps),
        ("DateCreated", .timestamps), ("MetadataDate", .timestamps),
        ("dc:creator", .authorship), ("dc:rights", .authorship), ("xmpRights", .authorship),
        ("photoshop:Credit", .authorship), ("OwnerName", .authorship),
        ("CreatorTool", .editing), ("xmpMM:", .editing), ("photoshop:History", .editing), ("crs:", .editing),
        ("dc:description", .comment), ("dc:title", .comment), ("exif:UserComment", .comment),
    ]

    static func categories(in body: ArraySlice<UInt8>) -> Set<MetadataCategory> {
        var found: Set<MetadataCategory> = []
        for (needle, category) in needles where !found.contains(category) {
            if contains(body, Array(needle.utf8)) { found.insert(category) }
        }
        return found.isEmpty ? [.other] : found
    }

    static func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, hay.count >= needle.count else { return false }
        var i = hay.startIndex
        let last = hay.endIndex - needle.count
        while i <= last {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
