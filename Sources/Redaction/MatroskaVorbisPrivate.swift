import TiplinePolicy

/// A Vorbis track's CodecPrivate holds the three Vorbis headers in Xiph lacing, and the middle
/// one is a comment header (vendor string, "ARTIST=…", "ENCODER=…"). It is rewritten in place
/// at the same length: an empty vendor, no fields, the framing bit, then zeros (decoders stop
/// reading at the framing bit), so the lacing and CodecPrivate's size stay as they were.
enum MatroskaVorbisPrivate {
    static let emptyComment: [UInt8] = [3] + Array("vorbis".utf8) + [0, 0, 0, 0, 0, 0, 0, 0, 1]

    /// The comment header's range inside `p` (Xiph lacing: count − 1, then the sizes of all but the last packet).
    static func commentRange(_ p: ArraySlice<UInt8>) -> Range<Int>? {
        var at = p.startIndex
        guard at < p.endIndex, p[at] == 2 else { return nil }
        at += 1
        var sizes: [Int] = []
        for _ in 0..<2 {
            var size = 0
            while at < p.endIndex, p[at] == 255 {
                size += 255
                at += 1
            }
            guard at < p.endIndex else { return nil }
            size += Int(p[at])
            at += 1
            sizes.append(size)
        }
        let start = at + sizes[0]
        guard sizes[0] <= p.endIndex - at, sizes[1] <= p.endIndex - start else { return nil }
        return start..<(start + sizes[1])
    }

    /// Blanks the comment header in `bytes[range]`; returns what it held, by field name only.
    static func scrub(_ bytes: inout [UInt8], _ range: Range<Int>, format: MediaFormat, offset: Int) throws(RedactionError) -> Set<MetadataCategory> {
        guard let c = commentRange(bytes[range]), c.count >= emptyComment.count,
            bytes[c].starts(with: emptyComment.prefix(7))
        else { throw .malformed(format, offset: offset, reason: "a Vorbis track's setup does not hold three Vorbis headers") }
        var removed: Set<MetadataCategory> = []
        let header = Array(bytes[c])
        func le32(_ at: Int) -> Int? { at + 4 <= header.count ? (0..<4).reduce(0) { $0 | Int(header[at + $1]) << (8 * $1) } : nil }
        if let vendor = le32(7), vendor > 0 { removed.insert(.editing) }
        if let vendor = le32(7), vendor <= header.count - 11, let count = le32(11 + vendor) {
            var at = 15 + vendor
            for _ in 0..<min(count, 1 << 16) {
                guard let n = le32(at), n <= header.count - at - 4 else { break }
                let name = String(decoding: header[(at + 4)..<(at + 4 + n)].prefix { $0 != 0x3D }, as: UTF8.self).uppercased()
                removed.insert(OggComments.category(of: name))
                at += 4 + n
            }
        }
        if header != emptyComment + [UInt8](repeating: 0, count: header.count - emptyComment.count), removed.isEmpty { removed.insert(.other) }
        bytes.replaceSubrange(c, with: emptyComment + [UInt8](repeating: 0, count: c.count - emptyComment.count))
        return removed
    }
}
