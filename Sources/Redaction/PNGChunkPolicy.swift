/// The PNG allowlist: chunks that decode, colour or animate the picture stay; text, time,
/// EXIF, physical size and anything unknown go. An unknown *critical* chunk means the
/// picture cannot be decoded without it, so the file is refused rather than damaged.
enum PNGChunkPolicy {
    enum Decision: Equatable {
        case keep
        case drop(Set<MetadataCategory>)
        /// eXIf: dropped, but read for Orientation and the opt-ins.
        case exif
        /// iCCP the policy keeps: held whole (bounded), inflated and kept only if standard.
        case iccp
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
        case "iCCP": return options.keepICCProfile ? .iccp : .drop([.other])
        case "eXIf": return .exif
        case "tIME": return .drop([.timestamps])
        case "tEXt", "zTXt", "iTXt": return .drop([])  // classified from the keyword when the chunk is read
        default:
            // Bit 5 of the first byte: lowercase = ancillary (safe to drop), uppercase = critical.
            return type.utf8.first.map { $0 & 0x20 == 0 } == true ? .refuse : .drop([.other])
        }
    }

    /// Whether an iCCP chunk's data (keyword, NUL, method 0, zlib stream) holds a standard
    /// colour-space profile. The keyword is only a label; the profile's content decides.
    static func iccpIsStandard(_ data: [UInt8]) -> Bool {
        guard let nul = data.prefix(80).firstIndex(of: 0), nul >= 1, nul + 1 < data.count, data[nul + 1] == 0,
            let profile = PNGInflate.inflate(data[(nul + 2)...], limit: ICCProfileClassifier.maxProfileBytes)
        else { return false }
        return ICCProfileClassifier.isStandard(profile[...])
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
