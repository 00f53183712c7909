import TiplinePolicy

/// The Opus/Vorbis comment header (`OpusTags` / `\x03vorbis`: vendor string, then
/// "NAME=value" fields) as the scrubber sees it: read only to name what was removed, then
/// replaced whole by one with the constant vendor and no fields.
enum OggComments {
    static let vendor: [UInt8] = Array("Tipline".utf8)
    static let opusMagic: [UInt8] = Array("OpusTags".utf8)
    static let vorbisMagic: [UInt8] = [3] + Array("vorbis".utf8)

    /// The replacement: magic, vendor, zero fields, and Vorbis's framing bit.
    static func replacement(opus: Bool) -> [UInt8] {
        let n = UInt32(vendor.count)
        let length = (0..<4).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) }
        return (opus ? opusMagic : vorbisMagic) + length + vendor + [0, 0, 0, 0] + (opus ? [] : [1])
    }

    /// What the original packet held, by field name only.
    static func categories(of packet: [UInt8], opus: Bool, offset: Int) throws(RedactionError) -> Set<MetadataCategory> {
        let magic = opus ? opusMagic : vorbisMagic
        guard packet.count >= magic.count, packet[0..<magic.count].elementsEqual(magic) else {
            throw .malformed(.ogg, offset: offset, reason: "the second header packet is not a comment header")
        }
        var at = magic.count
        func le32() throws(RedactionError) -> Int {
            guard at + 4 <= packet.count else { throw overrun(offset) }
            defer { at += 4 }
            return (0..<4).reduce(0) { $0 | Int(packet[at + $1]) << (8 * $1) }
        }
        var removed: Set<MetadataCategory> = []
        let vendorLength = try le32()
        guard vendorLength <= packet.count - at else { throw overrun(offset) }
        if !packet[at..<(at + vendorLength)].elementsEqual(vendor) && vendorLength > 0 { removed.insert(.editing) }
        at += vendorLength
        let count = try le32()
        for _ in 0..<count {
            let n = try le32()
            guard n <= packet.count - at else { throw overrun(offset) }
            let field = packet[at..<(at + n)]
            let name = String(decoding: field.prefix { $0 != 0x3D }, as: UTF8.self).uppercased()
            removed.insert(category(of: name))
            at += n
        }
        if at < packet.count && (opus ? packet[at] & 1 == 1 : packet.count - at > 1) { removed.insert(.other) }
        return removed
    }

    static func category(of name: String) -> MetadataCategory {
        switch name {
        case "ARTIST", "PERFORMER", "COPYRIGHT", "COMPOSER", "LYRICIST", "ALBUMARTIST", "ORGANIZATION", "CONTACT", "LICENSE":
            .authorship
        case "DATE", "CREATION_TIME", "YEAR": .timestamps
        case "LOCATION": .location
        case "COMMENT", "DESCRIPTION", "LYRICS": .comment
        case "ENCODER", "ENCODED_BY", "ENCODED-BY", "ENCODEDBY", "ENCODER_OPTIONS": .editing
        case "METADATA_BLOCK_PICTURE", "COVERART": .thumbnail
        default: .other
        }
    }

    private static func overrun(_ offset: Int) -> RedactionError {
        .malformed(.ogg, offset: offset, reason: "comment header lengths run past the packet")
    }
}
