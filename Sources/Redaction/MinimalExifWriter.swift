/// Builds the only EXIF Tipline ever writes: a fresh TIFF block holding the Orientation value
/// and, when the tipster opted in, the GPS position tags (plus GPS time only with the
/// capture-date opt-in, see `keepsGPSTag`) and DateTimeOriginal, copied value by value.
/// Never the original block, so nothing unlisted can ride along. The layout is fixed:
/// header, IFD0, then the EXIF and GPS IFDs, each IFD followed by its out-of-line values.
enum MinimalExifWriter {
    /// Under "keep location" only the position is copied: GPSVersionID, Latitude(Ref),
    /// Longitude(Ref), Altitude(Ref) and MapDatum. Direction (16/17), Differential (30), the
    /// satellites/status/DOP/speed/track/destination tags and HPositioningError are dropped: not
    /// needed to place the picture, and the minimal list is the default.
    static let positionGPSTags: Set<UInt16> = [0x0000, 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0012]
    /// GPSTimeStamp (7) and GPSDateStamp (29) are the capture time in UTC: copied only when the
    /// tipster also opted in to keeping the capture date. The free text of GPSProcessingMethod
    /// (27) and GPSAreaInformation (28) is never copied.
    static let timeGPSTags: Set<UInt16> = [0x0007, 0x001D]

    /// Whether the GPS tag `tag` may go into the fresh EXIF under `options`.
    static func keepsGPSTag(_ tag: UInt16, options: ScrubOptions) -> Bool {
        guard options.keepLocation else { return false }
        if positionGPSTags.contains(tag) { return true }
        return options.keepCaptureDate && timeGPSTags.contains(tag)
    }
    /// No copied value may be larger than this: coordinates and dates are a few dozen bytes.
    static let maxValueBytes = 256

    struct Tag {
        let tag: UInt16
        let type: UInt16
        let count: Int
        let value: [UInt8]  // already in the block's byte order
    }

    /// Reads a removed EXIF block and returns the fresh block to write in its place (nil when
    /// the picture needs none), recording what was removed and kept.
    static func replacement(for tiff: [UInt8], options: ScrubOptions, summary: inout ScrubSummary) -> [UInt8]? {
        let found = ExifReader.findings(tiff: tiff)
        summary.removed.formUnion(found.removed)
        let orientation = options.keepOrientation ? found.orientation.flatMap { (2...8).contains($0) ? $0 : nil } : nil
        let gps = found.gpsEntries.filter { keepsGPSTag($0.tag, options: options) }
        if options.keepLocation {
            // What the opt-in did not carry over is still removed metadata, and says so.
            for e in found.gpsEntries where !keepsGPSTag(e.tag, options: options) {
                summary.removed.insert(timeGPSTags.contains(e.tag) ? .timestamps : .other)
            }
        } else if found.gpsEntries.contains(where: { timeGPSTags.contains($0.tag) }) {
            summary.removed.insert(.timestamps)
        }
        let date = options.keepCaptureDate ? found.dateTimeOriginal : nil
        guard let (block, keptGPS) = build(orientation: orientation, gps: gps, dateTimeOriginal: date, bigEndian: found.bigEndian)
        else { return nil }
        if orientation != nil { summary.kept.insert(.orientation) }
        if keptGPS {
            summary.kept.insert(.location)
            summary.removed.remove(.location)
        }
        if date != nil { summary.kept.insert(.captureDate) }
        return block
    }

    /// Returns the TIFF block (no "Exif\0\0" header) and whether GPS tags went in, or nil when
    /// there is nothing worth keeping.
    static func build(
        orientation: UInt16?, gps: [ExifReader.Entry], dateTimeOriginal: ArraySlice<UInt8>?, bigEndian: Bool
    ) -> (block: [UInt8], keptGPS: Bool)? {
        let gpsTags = gps.filter {
            ExifReader.size(ofType: $0.type) != nil && !$0.value.isEmpty
                && $0.value.count <= maxValueBytes && [1, 2, 3, 4, 5, 7, 10].contains($0.type)
        }.map { Tag(tag: $0.tag, type: $0.type, count: $0.count, value: Array($0.value)) }
        let exifTags = dateTimeOriginal.map { [Tag(tag: 0x9003, type: 2, count: 20, value: Array($0))] } ?? []
        guard orientation != nil || !gpsTags.isEmpty || !exifTags.isEmpty else { return nil }

        var w = Writer(bigEndian: bigEndian)
        w.bytes = bigEndian ? [0x4D, 0x4D, 0x00, 0x2A] : [0x49, 0x49, 0x2A, 0x00]
        w.u32(8)
        // IFD0 entry list; sub-IFD pointers are patched once their offsets are known.
        var ifd0: [Tag] = []
        if let orientation { ifd0.append(Tag(tag: 0x0112, type: 3, count: 1, value: w.encode16(orientation) + [0, 0])) }
        if !exifTags.isEmpty { ifd0.append(Tag(tag: 0x8769, type: 4, count: 1, value: [0, 0, 0, 0])) }
        if !gpsTags.isEmpty { ifd0.append(Tag(tag: 0x8825, type: 4, count: 1, value: [0, 0, 0, 0])) }
        let ifd0Slots = w.writeIFD(ifd0)
        if !exifTags.isEmpty {
            w.patch(ifd0Slots[0x8769]!, with: w.bytes.count)
            _ = w.writeIFD(exifTags)
        }
        if !gpsTags.isEmpty {
            w.patch(ifd0Slots[0x8825]!, with: w.bytes.count)
            _ = w.writeIFD(gpsTags.sorted { $0.tag < $1.tag })
        }
        return (w.bytes, !gpsTags.isEmpty)
    }

    private struct Writer {
        let bigEndian: Bool
        var bytes: [UInt8] = []

        func encode16(_ v: UInt16) -> [UInt8] {
            bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
        }

        func encode32(_ v: Int) -> [UInt8] {
            let b = [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return bigEndian ? b : b.reversed()
        }

        mutating func u32(_ v: Int) { bytes += encode32(v) }

        mutating func patch(_ at: Int, with v: Int) { bytes.replaceSubrange(at..<(at + 4), with: encode32(v)) }

        /// Writes one IFD (no next IFD) and its out-of-line values; returns each tag's value slot.
        mutating func writeIFD(_ tags: [Tag]) -> [UInt16: Int] {
            var slots: [UInt16: Int] = [:]
            let start = bytes.count
            var dataAt = start + 2 + 12 * tags.count + 4
            var data: [UInt8] = []
            bytes += encode16(UInt16(tags.count))
            for t in tags {
                bytes += encode16(t.tag) + encode16(t.type) + encode32(t.count)
                slots[t.tag] = bytes.count
                if t.value.count <= 4 {
                    bytes += t.value + [UInt8](repeating: 0, count: 4 - t.value.count)
                } else {
                    bytes += encode32(dataAt)
                    data += t.value
                    if t.value.count % 2 == 1 { data.append(0) }
                    dataAt = start + 2 + 12 * tags.count + 4 + data.count
                }
            }
            u32(0)
            bytes += data
            return slots
        }
    }
}
