import TiplinePolicy

/// Scrubs HEIC/HEIF/AVIF still images in place: the Exif and XMP (`mime`) items have their
/// bytes zeroed and their `infe` entry renamed to type `free`, hidden, with its name and
/// content type zeroed, so readers skip them; `udta`, `uuid`, non-picture `meta` and unknown
/// boxes become zeroed `free` boxes; `free`/`skip` payloads are zeroed (editors leave old
/// metadata there). Nothing moves and no byte of the picture changes, so every offset in
/// `iloc` stays valid and the file keeps its exact size. `irot`/`imir`/`clap` and the other
/// item properties stay, so the picture keeps its orientation; an ICC `colr` stays per policy.
///
/// Held whole (ISOBMFF needs random access), bounded by `ScrubOptions.maxFileBytes` and claimed
/// from `ScrubOptions.heldBytes`.
/// Thumbnail items are removed from the item tables (`ISOBMFFThumbnails`), the one change that
/// rewrites boxes rather than zeroing them, still without moving anything outside `meta`.
/// Refused rather than passed through: unknown item types, item data in other files or built
/// from other items when it is metadata, metadata whose bytes overlap the picture's, and an
/// Exif, XMP or IPTC signature left anywhere once the metadata is zeroed (`EmbeddedMetadataNet`).
public struct ISOBMFFScrubber: WholeFileScrubber {
    public static let format = MediaFormat.heif
    private let options: ScrubOptions
    private var input: HeldWholeFile

    public init(options: ScrubOptions) {
        self.options = options
        input = HeldWholeFile(budget: options.heldBytes)
    }

    public mutating func consume(_ piece: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        try input.append(piece, limit: options.maxFileBytes)
    }

    /// Changes the held bytes in place and hands the same buffer out: one copy of the file.
    public mutating func finishWhole() throws(RedactionError) -> (output: [UInt8], summary: ScrubSummary) {
        guard !input.bytes.isEmpty else { throw .empty }
        var job = ISOBMFFNeutraliser(file: ISOBMFFBytes(bytes: input.take()), options: options)
        try job.run()
        // Picture bytes are kept as they are, so metadata copied into them would survive.
        try EmbeddedMetadataNet.refuseMarkers(in: job.file.bytes, format: .heif)
        return (job.file.bytes, job.summary)
    }
}

/// Plans every change first, checks none touches the picture's bytes, then applies them.
struct ISOBMFFNeutraliser {
    var file: ISOBMFFBytes
    let options: ScrubOptions
    var summary = ScrubSummary()
    /// Bytes used by kept items: nothing may be zeroed there.
    var keptRanges: [Range<Int>] = []
    /// Metadata item bytes to zero; they must lie inside an `mdat` or `idat` payload.
    var metadataRanges: [Range<Int>] = []
    var containers: [Range<Int>] = []
    var freed: [ISOBMFFBox] = []
    var zeroed: [Range<Int>] = []
    var hiddenItems: [ISOBMFFItemInfo] = []
    /// Thumbnail items removed from the item tables, and the `meta` box that lists them.
    var droppedItems: Set<Int> = []
    var pictureMeta: ISOBMFFBox?

    static let imageItemTypes: Set<UInt32> = Set(
        ["hvc1", "av01", "grid", "iovl", "iden", "jpeg", "unci", "tmap", "mski", "vvc1", "avc1", "j2k1", "hvt1", "lhv1"]
            .map(ISOBMFFBox.code))
    static let stillBrands: Set<UInt32> = Set(
        ["mif1", "mif2", "msf1", "miaf", "heic", "heix", "heim", "heis", "hevc", "hevx", "avif", "avis"].map(ISOBMFFBox.code))

    mutating func run() throws(RedactionError) {
        let top = try file.boxes(from: 0, to: file.bytes.count)
        guard let ftyp = top.first, ftyp.type == ISOBMFFBox.code("ftyp"), ftyp.end - ftyp.payload >= 8 else {
            throw .malformed(.heif, offset: 0, reason: "the file does not start with a file-type box")
        }
        var brands = [try file.be(ftyp.payload, 4)]
        for at in stride(from: ftyp.payload + 8, to: ftyp.end - 3, by: 4) { brands.append(try file.be(at, 4)) }
        guard brands.contains(where: { Self.stillBrands.contains(UInt32($0)) }) else {
            throw .unsupportedLayout(.heif, reason: "not a HEIF or AVIF image brand")
        }
        var sawPicture = false
        for box in top.dropFirst() {
            let picture =
                box.type == ISOBMFFBox.code("meta") && !sawPicture
                ? try handler(of: box) == Int(ISOBMFFBox.code("pict")) : false
            switch box.type {
            case ISOBMFFBox.code("mdat"): containers.append(box.payload..<box.end)
            case ISOBMFFBox.code("meta") where picture:
                sawPicture = true
                try scanPictureMeta(box)
            case ISOBMFFBox.code("free"), ISOBMFFBox.code("skip"): zeroed.append(box.payload..<box.end)
            case ISOBMFFBox.code("moov"): try scanMovie(box, depth: 0)
            case ISOBMFFBox.code("ftyp"): throw .malformed(.heif, offset: box.start, reason: "second file-type box")
            default: free(box, because: try udtaCategories(box))
            }
        }
        guard sawPicture else { throw .malformed(.heif, offset: 0, reason: "no picture metadata box") }
        try apply()
        if let pictureMeta { try dropItems(droppedItems, meta: pictureMeta) }
    }

    func handler(of meta: ISOBMFFBox) throws(RedactionError) -> Int? {
        let children = try file.boxes(from: meta.payload + 4, to: meta.end)
        guard let hdlr = children.first(where: { $0.type == ISOBMFFBox.code("hdlr") }) else { return nil }
        return try file.be(hdlr.payload + 8, 4)
    }

    mutating func free(_ box: ISOBMFFBox, because categories: Set<MetadataCategory>) {
        freed.append(box)
        summary.removed.formUnion(categories)
    }

    /// `udta` may hold location atoms (`©xyz`, `loci`); everything else freed is `.other`.
    func udtaCategories(_ box: ISOBMFFBox) throws(RedactionError) -> Set<MetadataCategory> {
        guard box.type == ISOBMFFBox.code("udta"), let children = try? file.boxes(from: box.payload, to: box.end) else { return [.other] }
        let located = children.contains { $0.type == 0xA978_797A || $0.type == ISOBMFFBox.code("loci") }
        return located ? [.other, .location] : [.other]
    }
}
