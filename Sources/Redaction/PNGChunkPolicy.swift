/// The PNG allowlist: chunks that decode, colour or animate the picture stay; text, time,
/// EXIF, physical size and anything unknown go. An unknown *critical* chunk means the
/// picture cannot be decoded without it, so the file is refused rather than damaged.
enum PNGChunkPolicy {
    enum Decision: Equatable {
        case keep
        case drop(Set<MetadataCategory>)
        /// eXIf: dropped, but read for Orientation and the opt-ins.
        case exif
        case refuse
    }

    static let kept: Set<String> = [
        "IHDR", "PLTE", "IDAT", "IEND",  // critical
        "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "cICP", "mDCv", "cLLi",  // colour, transparency
        "acTL", "fcTL", "fdAT",  // APNG animation
    ]

    static func decide(_ type: String, options: ScrubOptions) -> Decision {
        if kept.contains(type) { return .keep }
        switch type {
        case "iCCP": return options.keepICCProfile ? .keep : .drop([.other])
        case "eXIf": return .exif
        case "tIME": return .drop([.timestamps])
        case "tEXt", "zTXt", "iTXt": return .drop([])  // classified from the keyword when the chunk is read
        default:
            // Bit 5 of the first byte: lowercase = ancillary (safe to drop), uppercase = critical.
            return type.utf8.first.map { $0 & 0x20 == 0 } == true ? .refuse : .drop([.other])
        }
    }

    /// Text chunks start with a Latin-1 keyword; the well-known ones say what the text was.
    static func textCategories(_ head: [UInt8]) -> Set<MetadataCategory> {
        let keyword = String(decoding: head.prefix(while: { $0 != 0 }).prefix(79), as: UTF8.self)
        switch keyword {
        case "Author", "Copyright", "Disclaimer": return [.authorship]
        case "Creation Time": return [.timestamps]
        case "Software": return [.editing]
        case "Source": return [.device]
        case "Title", "Description", "Comment", "Warning": return [.comment]
        case "XML:com.adobe.xmp": return XMPScan.categories(in: head[...])
        default: return [.other]
        }
    }
}
