import TiplinePolicy

/// A kept track: its rebuilt headers and where its samples are. The sample-to-chunk layout,
/// timing and sync tables are copied as they are (they hold only counts and durations); the
/// sizes (`stsz`) and chunk offsets (`stco`/`co64`) are written anew for the rebuilt `mdat`.
struct KeptMovieTrack {
    let video: Bool
    var trackHeader: [UInt8] = []
    var mediaHeader: [UInt8] = []
    var editList: [UInt8]?
    var sampleEntries = MovieSampleEntry.Rebuilt(stsd: [], entryCount: 0, filter: nil, droppedChildren: false)
    /// `stts`, `ctts`, `stss`, `stps`, `sdtp`, `stsc`, `cslg` and the decoding sample groups, in file order.
    var copiedTables: [UInt8] = []
    var sampleCount = 0
    /// Every sample has this size, or 0 when `sizes` lists them.
    var uniformSize = 0
    var sizes: [UInt32] = []
    /// Per chunk, in the track's order: original file offset, first sample, sample count, bytes.
    var chunks: [(offset: Int, firstSample: Int, count: Int, bytes: Int)] = []
    /// Sizes after SEI removal (H.264/HEVC tracks only), filled in by the first pass.
    var filteredSizes: [UInt32]?
    /// Per sample, whether SEI removal changed it (filled in with `filteredSizes`).
    var filteredSamples: [Bool]?

    static let maxVideoSamples = 16 << 20

    init(video: Bool) { self.video = video }

    func size(ofSample i: Int) -> Int { uniformSize != 0 ? uniformSize : Int(sizes[i]) }

    static let copied: Set<FourCC> = [
        FourCC("stts"), FourCC("ctts"), FourCC("stss"), FourCC("stps"), FourCC("sdtp"), FourCC("stsc"), FourCC("cslg"),
    ]
    /// Sample groups a decoder uses (pre-roll, random access, sync); others are dropped.
    static let decodingGroups: Set<UInt64> = Set(
        ["roll", "prol", "rap ", "sync", "tele", "alst"].map { s in
            s.utf8.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        })

    mutating func readSampleTable(_ r: MovieBoxReader, _ stbl: MovieBox, summary: inout ScrubSummary) throws(RedactionError) {
        var stsd: MovieBox?, stsz: MovieBox?, stsc: MovieBox?, offsets: MovieBox?, stts: MovieBox?
        for b in try r.boxes(in: stbl.payload..<stbl.end) {
            switch b.type {
            case FourCC("stsd"): stsd = b
            case FourCC("stsz"): stsz = b
            case FourCC("stco"), FourCC("co64"):
                guard offsets == nil else { throw r.malformed(b.start, "a track has two chunk offset tables") }
                offsets = b
            case FourCC("stz2"): throw .unsupportedLayout(.mp4, reason: "compact sample sizes")
            case FourCC("saiz"), FourCC("saio"), FourCC("senc"): throw .unsupportedLayout(.mp4, reason: "the file is encrypted")
            case FourCC("sgpd"), FourCC("sbgp"):
                if Self.decodingGroups.contains(try r.be(b.payload + 4, 4, in: b.payload..<b.end)) {
                    copiedTables += r.slice(b.start..<b.end)
                }
            default:
                if b.type == FourCC("stts") { stts = b }
                if b.type == FourCC("stsc") { stsc = b }
                if Self.copied.contains(b.type) {
                    try Self.checkCopied(r, b)
                    copiedTables += r.slice(b.start..<b.end)
                } else {
                    summary.removed.insert(.other)
                }
            }
        }
        guard let stsd, let stsz, let stsc, let offsets, let stts else {
            throw r.malformed(stbl.start, "a sample table lacks a required box")
        }
        sampleEntries = try MovieSampleEntry.rebuild(r, stsd: stsd, video: video)
        if sampleEntries.droppedChildren { summary.removed.insert(.other) }
        try readSizes(r, stsz)
        try checkTiming(r, stts)
        try readChunks(r, stsc: stsc, offsets: offsets)
    }

    /// Entry tables copied as they are must still be well formed: a version a reader knows and
    /// an entry count that fills the box exactly (the verifier refuses anything else, so a
    /// file the fuzzer bent this way was refused only after its rebuild).
    static let copiedLayouts: [FourCC: (versions: ClosedRange<UInt64>, entryBytes: Int)] = [
        FourCC("stts"): (0...0, 8), FourCC("ctts"): (0...1, 8), FourCC("stss"): (0...0, 4), FourCC("stps"): (0...0, 4),
        FourCC("stsc"): (0...0, 12),
    ]

    static func checkCopied(_ r: MovieBoxReader, _ b: MovieBox) throws(RedactionError) {
        guard let layout = copiedLayouts[b.type] else { return }
        let range = b.payload..<b.end
        guard layout.versions.contains(try r.be(b.payload, 1, in: range)) else {
            throw .unsupportedLayout(.mp4, reason: "a '\(b.type)' table of an unknown version")
        }
        let count = try r.int(b.payload + 4, 4, in: range)
        guard count <= (b.payloadCount - 8) / layout.entryBytes, b.payloadCount == 8 + count * layout.entryBytes else {
            throw r.malformed(b.start, "the '\(b.type)' entry count does not fill its box")
        }
    }

    private mutating func readSizes(_ r: MovieBoxReader, _ b: MovieBox) throws(RedactionError) {
        let range = b.payload..<b.end
        uniformSize = try r.int(b.payload + 4, 4, in: range)
        sampleCount = try r.int(b.payload + 8, 4, in: range)
        guard uniformSize == 0 else { return }
        guard sampleCount <= (b.payloadCount - 12) / 4 else { throw r.malformed(b.start, "the sample size table is cut short") }
        sizes.reserveCapacity(sampleCount)
        var at = b.payload + 12
        for _ in 0..<sampleCount {
            sizes.append(UInt32(r.bytes[at]) << 24 | UInt32(r.bytes[at + 1]) << 16 | UInt32(r.bytes[at + 2]) << 8 | UInt32(r.bytes[at + 3]))
            at += 4
        }
    }

    private func checkTiming(_ r: MovieBoxReader, _ b: MovieBox) throws(RedactionError) {
        let range = b.payload..<b.end
        let count = try r.int(b.payload + 4, 4, in: range)
        guard count <= (b.payloadCount - 8) / 8 else { throw r.malformed(b.start, "the time-to-sample table is cut short") }
        var total = 0
        for i in 0..<count { total += try r.int(b.payload + 8 + 8 * i, 4, in: range) }
        guard total == sampleCount else { throw r.malformed(b.start, "the sample tables disagree on the number of samples") }
    }

    private mutating func readChunks(_ r: MovieBoxReader, stsc: MovieBox, offsets: MovieBox) throws(RedactionError) {
        let wide = offsets.type == FourCC("co64")
        let oRange = offsets.payload..<offsets.end
        let chunkCount = try r.int(offsets.payload + 4, 4, in: oRange)
        guard chunkCount <= (offsets.payloadCount - 8) / (wide ? 8 : 4) else {
            throw r.malformed(offsets.start, "the chunk offset table is cut short")
        }
        let sRange = stsc.payload..<stsc.end
        let entries = try r.int(stsc.payload + 4, 4, in: sRange)
        guard entries <= (stsc.payloadCount - 8) / 12 else { throw r.malformed(stsc.start, "the sample-to-chunk table is cut short") }
        chunks.reserveCapacity(chunkCount)
        var sample = 0
        for e in 0..<entries {
            let at = stsc.payload + 8 + 12 * e
            let first = try r.int(at, 4, in: sRange)
            let perChunk = try r.int(at + 4, 4, in: sRange)
            let description = try r.int(at + 8, 4, in: sRange)
            let next = e + 1 < entries ? try r.int(at + 12, 4, in: sRange) : chunkCount + 1
            guard first == chunks.count + 1, next > first, next <= chunkCount + 1, perChunk > 0,
                (1...sampleEntries.entryCount).contains(description)
            else { throw r.malformed(at, "the sample-to-chunk table is inconsistent") }
            for c in first..<next {
                guard perChunk <= sampleCount - sample else {
                    throw r.malformed(at, "the sample tables disagree on the number of samples")
                }
                let offset = try r.int(offsets.payload + 8 + (c - 1) * (wide ? 8 : 4), wide ? 8 : 4, in: oRange)
                var bytes = 0
                if uniformSize != 0 {
                    let (product, overflow) = uniformSize.multipliedReportingOverflow(by: perChunk)
                    guard !overflow else { throw r.malformed(at, "a chunk is impossibly large") }
                    bytes = product
                } else {
                    for s in sample..<(sample + perChunk) { bytes += Int(sizes[s]) }
                }
                chunks.append((offset, sample, perChunk, bytes))
                sample += perChunk
            }
        }
        guard chunks.count == chunkCount, sample == sampleCount else {
            throw r.malformed(stsc.start, "the sample tables disagree on the number of samples")
        }
        // Video samples are each read and measured: a count no camera writes is refused
        // before it costs memory or time (24 hours at 120 frames a second is ~10 million).
        if video && sampleCount > Self.maxVideoSamples {
            throw .unsupportedLayout(.mp4, reason: "more video frames than any phone records")
        }
    }
}
