import TiplinePolicy

/// Scrubs TIFF by rebuilding it: a new header, one directory holding only the tags a decoder
/// needs (see `TIFFTagPolicy`), and the strip or tile data copied byte for byte with fresh
/// offsets. Nothing of the original layout survives, so metadata hidden in gaps, unreferenced
/// areas or trailing bytes is gone by construction.
///
/// Buffered (TIFF needs random access), bounded by `ScrubOptions.maxFileBytes`. Refused with
/// `.unsupportedLayout` rather than passed through: BigTIFF, multi-page files, SubIFDs, old-style
/// JPEG (compression 6), unknown compressions, and JPEG strips that carry their own APPn/COM
/// segments. A reduced-resolution second directory (a thumbnail) is dropped.
public struct TIFFScrubber: Scrubber {
    public static let format = MediaFormat.tiff
    private let options: ScrubOptions
    private var input: [UInt8] = []

    public init(options: ScrubOptions) { self.options = options }

    public mutating func consume(_ piece: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        try input.appendHeldWhole(piece, limit: options.maxFileBytes)
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        guard !input.isEmpty else { throw .empty }
        let reader = try TIFFDirectoryReader(input[...], format: .tiff)
        var summary = ScrubSummary()
        let ifd0 = try reader.directory(at: try reader.firstDirectoryOffset)
        try Self.checkFollowingDirectories(reader, after: ifd0.next, summary: &summary)
        let plan = try TIFFTagPolicy(options: options).plan(ifd0.entries, reader: reader, summary: &summary)
        let clean = try TIFFWriter(reader: reader, plan: plan, limit: options.maxFileBytes).write()
        try EmbeddedMetadataNet.refuseMarkers(in: clean, format: .tiff)
        input = []
        output.append(contentsOf: clean)
        return summary
    }

    /// Walks the directory chain after IFD0 (loop-checked, at most 64 long): a reduced-resolution
    /// image (NewSubfileType bit 0) is a thumbnail and is dropped; any other page is refused,
    /// because silently dropping a page would lose part of the tip.
    static func checkFollowingDirectories(
        _ reader: TIFFDirectoryReader, after first: Int, summary: inout ScrubSummary
    ) throws(RedactionError) {
        var next = first
        var visited: Set<Int> = [try reader.firstDirectoryOffset]
        while next != 0 {
            guard visited.insert(next).inserted else {
                throw .malformed(.tiff, offset: next, reason: "the directory chain loops")
            }
            guard visited.count <= 64 else { throw .unsupportedLayout(.tiff, reason: "more than 64 directories") }
            let ifd = try reader.directory(at: next)
            let subfile = ifd.entries.first { $0.tag == 254 }
            let reduced = try subfile.map { e throws(RedactionError) in try reader.integers(e).first ?? 0 } ?? 0
            guard reduced & 1 == 1 else {
                throw .unsupportedLayout(.tiff, reason: "multi-page TIFF; only single-page files are accepted")
            }
            summary.removed.insert(.thumbnail)
            next = ifd.next
        }
    }
}
