import TiplinePolicy

/// Which IFD0 tags survive a TIFF scrub: only those a decoder needs to turn the strips or tiles
/// into the same pixels (plus Orientation and the ICC profile per policy). Everything else —
/// Make, Model, Artist, Software, DateTime, descriptions, Exif/GPS/Interop pointers, XMP, IPTC,
/// Photoshop resources, maker notes and every unknown tag — is dropped and only its category
/// reported.
struct TIFFTagPolicy {
    let options: ScrubOptions

    /// Tags kept unconditionally: image structure, compression parameters and colorimetry.
    static let structural: Set<UInt16> = [
        254, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 282, 283, 284, 292, 293, 296,
        301, 317, 318, 319, 320, 322, 323, 324, 325, 332, 338, 339, 347, 529, 530, 531, 532,
    ]
    /// Compressions whose strips are self-contained and decode identically after copying.
    static let compressions: Set<Int> = [1, 2, 3, 4, 5, 7, 8, 32773, 32946]

    /// What the writer needs: kept entries (tag order) and where the pixel data is.
    struct Plan {
        var kept: [TIFFDirectoryEntry]
        var offsetsTag: UInt16
        var offsets: [Int]
        var byteCounts: [Int]
    }

    func keeps(_ tag: UInt16) -> Bool {
        Self.structural.contains(tag) || (tag == 274 && options.keepOrientation)
            || (tag == 34675 && options.keepICCProfile)
    }

    func plan(
        _ entries: [TIFFDirectoryEntry], reader: TIFFDirectoryReader, summary: inout ScrubSummary
    ) throws(RedactionError) -> Plan {
        var byTag: [UInt16: TIFFDirectoryEntry] = [:]
        var dropICC = false
        for entry in entries {
            guard byTag.updateValue(entry, forKey: entry.tag) == nil else {
                throw .malformed(.tiff, offset: entry.valueStart, reason: "tag \(entry.tag) appears twice")
            }
            if entry.tag == 330 { throw .unsupportedLayout(.tiff, reason: "SubIFDs") }
            if keeps(entry.tag) {
                guard entry.valueLength != nil else {
                    throw .malformed(.tiff, offset: entry.valueStart, reason: "tag \(entry.tag) has an unknown field type")
                }
                if entry.tag == 274 { summary.kept.insert(.orientation) }
                if entry.tag == 34675 {
                    guard ICCProfileClassifier.isStandard(reader.rawValue(entry)) else {
                        dropICC = true
                        summary.removed.insert(.device)
                        continue
                    }
                    summary.kept.insert(.colorProfile)
                }
            } else if entry.tag != 34675 {
                summary.removed.formUnion(dropCategories(entry, reader: reader))
            }
        }
        let compression = try byTag[259].map { e throws(RedactionError) in try reader.integers(e).first ?? 1 } ?? 1
        if compression == 6 {
            throw .unsupportedLayout(
                .tiff, reason: "old-style JPEG compression (6), whose picture is a separate JPEG stream that decoders each reassemble differently")
        }
        guard Self.compressions.contains(compression) else {
            throw .unsupportedLayout(.tiff, reason: "compression scheme \(compression)")
        }
        guard byTag[256] != nil, byTag[257] != nil else {
            throw .malformed(.tiff, offset: 8, reason: "image width or length missing")
        }
        let strips = (byTag[273], byTag[279]), tiles = (byTag[324], byTag[325])
        let (offsetsEntry, countsEntry): (TIFFDirectoryEntry, TIFFDirectoryEntry)
        switch (strips, tiles) {
        case ((let o?, let c?), (nil, nil)): (offsetsEntry, countsEntry) = (o, c)
        case ((nil, nil), (let o?, let c?)): (offsetsEntry, countsEntry) = (o, c)
        default: throw .malformed(.tiff, offset: 8, reason: "needs exactly one complete set of strip or tile offsets")
        }
        let offsets = try reader.integers(offsetsEntry), counts = try reader.integers(countsEntry)
        guard !offsets.isEmpty, offsets.count == counts.count else {
            throw .malformed(.tiff, offset: offsetsEntry.valueStart, reason: "offset and byte-count arrays differ")
        }
        for (offset, count) in zip(offsets, counts) where offset > reader.bytes.count || count > reader.bytes.count - offset {
            throw .malformed(.tiff, offset: offsetsEntry.valueStart, reason: "image data lies beyond the end of the file")
        }
        if compression == 7 {
            for (offset, count) in zip(offsets, counts) { try Self.checkJPEGSegments(reader.bytes, offset, count) }
            if let tables = byTag[347] { try Self.checkJPEGSegments(reader.bytes, tables.valueStart, tables.valueLength ?? 0) }
        }
        let kept = entries.filter { keeps($0.tag) && !(dropICC && $0.tag == 34675) }.sorted { $0.tag < $1.tag }
        return Plan(kept: kept, offsetsTag: offsetsEntry.tag, offsets: offsets, byteCounts: counts)
    }

    private func dropCategories(_ entry: TIFFDirectoryEntry, reader: TIFFDirectoryReader) -> Set<MetadataCategory> {
        switch entry.tag {
        case 0x8769:  // Exif sub-IFD: classify what it held
            guard let sub = try? reader.integers(entry).first, let ifd = try? reader.directory(at: sub) else { return [.other] }
            return Set(ifd.entries.map { TIFFMetadataClassifier.category(ofTag: $0.tag) }).union([.other])
        case 700:
            guard entry.valueLength != nil else { return [.other] }
            return TIFFMetadataClassifier.xmpCategories(reader.rawValue(entry))
        default:
            return [TIFFMetadataClassifier.category(ofTag: entry.tag)]
        }
    }

    /// JPEG-in-TIFF strips are copied verbatim, so they must not carry APPn or COM segments
    /// (an Exif or XMP block could hide there). Walks the markers up to the first SOS.
    static func checkJPEGSegments(_ bytes: ArraySlice<UInt8>, _ offset: Int, _ count: Int) throws(RedactionError) {
        var pos = offset, end = offset + count
        end = min(end, bytes.count)
        guard end - pos >= 2, bytes[bytes.startIndex + pos] == 0xFF, bytes[bytes.startIndex + pos + 1] == 0xD8 else { return }
        pos += 2
        while end - pos >= 4 {
            let marker = bytes[bytes.startIndex + pos + 1]
            guard bytes[bytes.startIndex + pos] == 0xFF else { return }
            if marker == 0xDA || marker == 0xD9 { return }
            if (0xE0...0xEF).contains(marker) || marker == 0xFE {
                throw .unsupportedLayout(.tiff, reason: "JPEG strips carry their own metadata segments")
            }
            let length = Int(bytes[bytes.startIndex + pos + 2]) << 8 | Int(bytes[bytes.startIndex + pos + 3])
            pos += 2 + length
        }
    }
}
