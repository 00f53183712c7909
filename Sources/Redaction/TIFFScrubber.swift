import TiplinePolicy

/// Scrubs TIFF by rebuilding it: a new header, one directory per page holding only the tags a
/// decoder needs (see `TIFFTagPolicy`), and the strip or tile data copied byte for byte with
/// fresh offsets. Nothing of the original layout survives, so metadata hidden in gaps,
/// unreferenced areas or trailing bytes is gone by construction.
///
/// Held whole (TIFF needs random access), bounded by `ScrubOptions.maxFileBytes` and claimed
/// from `ScrubOptions.heldBytes`. Every page of a multi-page file is kept, in order; a
/// reduced-resolution directory (NewSubfileType bit 0: a thumbnail or preview) is dropped.
/// Refused with `.unsupportedLayout` rather than passed through: BigTIFF, SubIFDs, old-style
/// JPEG (compression 6, see docs/REDACTION-FORMATS.md), unknown compressions, and JPEG strips
/// that carry their own APPn/COM segments.
public struct TIFFScrubber: WholeFileScrubber {
    public static let format = MediaFormat.tiff
    /// More directories than any real scan or fax has; a longer chain is refused.
    static let maxDirectories = 64
    private let options: ScrubOptions
    private var input: HeldWholeFile

    public init(options: ScrubOptions) {
        self.options = options
        input = HeldWholeFile(budget: options.heldBytes)
    }

    public mutating func consume(_ piece: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        try input.append(piece, limit: options.maxFileBytes)
    }

    /// Holds the input and the rebuilt file at once (both claimed), never a third copy.
    public mutating func finishWhole() throws(RedactionError) -> (output: [UInt8], summary: ScrubSummary) {
        guard !input.bytes.isEmpty else { throw .empty }
        let held = input.take()
        let reader = try TIFFDirectoryReader(held[...], format: .tiff)
        var summary = ScrubSummary()
        let policy = TIFFTagPolicy(options: options)
        var pages: [TIFFTagPolicy.Plan] = []
        let directories = try Self.pages(reader, summary: &summary)
        for directory in directories {
            pages.append(try policy.plan(directory, reader: reader, summary: &summary))
        }
        let claim = input.claim
        let clean = try TIFFWriter(reader: reader, pages: pages, limit: options.maxFileBytes)
            .write { (size) throws(RedactionError) in try claim.grow(by: size) }
        // Last, so the plan's and the writer's more specific refusals come first.
        for directory in directories { try TIFFPageDecodability.require(directory, reader) }
        try EmbeddedMetadataNet.refuseMarkers(in: clean, format: .tiff)
        return (clean, summary)
    }

    /// The directories to keep, in chain order (loop-checked, at most `maxDirectories`): IFD0
    /// and every full-resolution page after it. A reduced-resolution image is a thumbnail and
    /// is dropped (reported as `.thumbnail`).
    static func pages(_ reader: TIFFDirectoryReader, summary: inout ScrubSummary) throws(RedactionError) -> [[TIFFDirectoryEntry]] {
        var next = try reader.firstDirectoryOffset
        var visited: Set<Int> = []
        var kept: [[TIFFDirectoryEntry]] = []
        while next != 0 {
            guard visited.insert(next).inserted else {
                throw .malformed(.tiff, offset: next, reason: "the directory chain loops")
            }
            guard visited.count <= maxDirectories else {
                throw .unsupportedLayout(.tiff, reason: "more than \(maxDirectories) pages")
            }
            let ifd = try reader.directory(at: next)
            let subfile = ifd.entries.first { $0.tag == 254 }
            let reduced = try subfile.map { e throws(RedactionError) in try reader.integers(e).first ?? 0 } ?? 0
            if kept.isEmpty || reduced & 1 == 0 {
                kept.append(ifd.entries)
            } else {
                summary.removed.insert(.thumbnail)
            }
            next = ifd.next
        }
        // A header whose first directory offset is 0 names no picture at all.
        guard !kept.isEmpty else { throw .malformed(.tiff, offset: 4, reason: "no image directory") }
        return kept
    }
}
