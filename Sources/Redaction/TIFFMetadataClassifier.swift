import TiplinePolicy

/// Says which kinds of identifying metadata an Exif block, a TIFF tag or an XMP packet carried,
/// so the report can tell the tipster "location removed" without ever holding a removed value.
/// Used by the TIFF, WebP and HEIF scrubbers on bytes they are about to drop. Never throws:
/// an Exif block too broken to read is still dropped, and reported as `.other`.
enum TIFFMetadataClassifier {
    /// The category of a dropped IFD0 / Exif-IFD tag.
    static func category(ofTag tag: UInt16) -> MetadataCategory {
        switch tag {
        case 0x8825: .location  // GPS IFD
        case 0x010F, 0x0110, 0x013C, 0x927C, 0xA431, 0xA432, 0xA433, 0xA434, 0xA435, 0xC62F, 0xA420:
            .device  // Make, Model, HostComputer, MakerNote, serials, lens, unique id
        case 0x0132, 0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292:
            .timestamps
        case 0x013B, 0x8298, 0xA430, 0x83BB, 0x9C9D:  // Artist, Copyright, owner, IPTC, XPAuthor
            .authorship
        case 0x010E, 0x010D, 0x9286, 0x9C9C, 0x9C9F:  // ImageDescription, DocumentName, UserComment, XP comments
            .comment
        case 0x0131, 0x000B, 0x8649, 0x935C:  // Software, ProcessingSoftware, Photoshop, ImageSourceData
            .editing
        case 0x0201, 0x0202:  // JPEG thumbnail pointers
            .thumbnail
        default: .other
        }
    }

    /// Categories found in an Exif TIFF block: IFD0, its Exif sub-IFD and whether IFD1 (thumbnail) exists.
    static func exifCategories(_ tiff: ArraySlice<UInt8>) -> Set<MetadataCategory> {
        guard let reader = try? TIFFDirectoryReader(tiff, format: .tiff),
            let first = try? reader.firstDirectoryOffset,
            let ifd0 = try? reader.directory(at: first)
        else { return [.other] }
        var found = Set<MetadataCategory>()
        for entry in ifd0.entries {
            switch entry.tag {
            case 0x0112, 0x011A, 0x011B, 0x0128, 0x0213: continue  // orientation, resolution, positioning
            case 0x8769:
                found.insert(.other)
                if let sub = try? reader.integers(entry).first, let exif = try? reader.directory(at: sub) {
                    for e in exif.entries { found.insert(category(ofTag: e.tag)) }
                }
            default: found.insert(category(ofTag: entry.tag))
            }
        }
        if ifd0.next != 0 { found.insert(.thumbnail) }
        return found
    }

    /// The Orientation value (1...8) of an Exif TIFF block, or nil when absent or unreadable.
    static func exifOrientation(_ tiff: ArraySlice<UInt8>) -> UInt16? {
        guard let reader = try? TIFFDirectoryReader(tiff, format: .tiff),
            let first = try? reader.firstDirectoryOffset,
            let ifd0 = try? reader.directory(at: first),
            let entry = ifd0.entries.first(where: { $0.tag == 0x0112 && $0.type == 3 && $0.count >= 1 }),
            let value = try? reader.u16(entry.valueStart), (1...8).contains(value)
        else { return nil }
        return value
    }

    /// Strips an optional "Exif\0\0" prefix some writers put before the TIFF header.
    static func tiffStart(_ block: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let prefix: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]
        return block.starts(with: prefix) ? block.dropFirst(6) : block
    }

    /// Categories suggested by well-known XMP property names; always includes `.other`.
    static func xmpCategories(_ packet: ArraySlice<UInt8>) -> Set<MetadataCategory> {
        var found: Set<MetadataCategory> = [.other]
        let text = String(decoding: packet.prefix(1 << 20), as: UTF8.self)
        let hints: [(String, MetadataCategory)] = [
            ("GPS", .location), ("LocationShown", .location), ("photoshop:City", .location),
            ("tiff:Make", .device), ("tiff:Model", .device), ("SerialNumber", .device),
            ("CreateDate", .timestamps), ("DateTimeOriginal", .timestamps), ("ModifyDate", .timestamps),
            ("dc:creator", .authorship), ("dc:rights", .authorship), ("Owner", .authorship),
            ("dc:description", .comment), ("CreatorTool", .editing), ("History", .editing),
        ]
        for (needle, category) in hints where text.contains(needle) { found.insert(category) }
        return found
    }
}
