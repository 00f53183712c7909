import TiplinePolicy

/// Writes the rebuilt movie once the whole file has been seen: reads the index, decides which
/// tracks stay, checks every kept chunk lies inside the media data, then writes `ftyp`, `moov`
/// and a `mdat` with the kept chunks in their original interleaving. Two passes over the
/// H.264/HEVC samples: the first learns their sizes after SEI removal (the index that precedes
/// the media data must state them), the second writes them.
struct MovieRebuilder {
    let index: MovieBoxReader
    let quickTime: Bool
    let extents: [MovieMediaExtent]
    let spool: any ScrubSpool
    var summary: ScrubSummary
    /// Samples above this size are refused: they are read whole to remove SEI.
    static let maxSampleBytes = 64 * 1024 * 1024
    static let pieceBytes = 256 << 10

    init(index: MovieBoxReader, quickTime: Bool, extents: [MovieMediaExtent], spool: any ScrubSpool, summary: ScrubSummary) {
        self.index = index
        self.quickTime = quickTime
        self.extents = extents
        self.spool = spool
        self.summary = summary
    }

    /// A kept chunk in the rebuilt `mdat`: which track and chunk, where its bytes are in the spool.
    private struct Placed {
        var track: Int
        var chunk: Int
        var spoolOffset: Int
    }

    mutating func run(emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) -> ScrubSummary {
        let r = index
        var header: [UInt8]?
        var tracks: [KeptMovieTrack] = []
        for b in try r.boxes(in: 0..<r.bytes.count) {
            switch b.type {
            case FourCC("mvhd"): header = try MovieHeaders.zeroingTimes(r, b, summary: &summary)
            case FourCC("trak"):
                switch try MovieTrack.read(r, trak: b, summary: &summary) {
                case .kept(let t): tracks.append(t)
                case .dropped(let categories): summary.removed.formUnion(categories)
                }
            case FourCC("mvex"): throw .unsupportedLayout(.mp4, reason: "fragmented MP4, as written by live streaming and some cameras")
            case FourCC("cmov"): throw .unsupportedLayout(.mp4, reason: "a compressed movie index")
            default: MovieMetadata.classify(r, dropped: b, into: &summary)
            }
        }
        guard let header else { throw r.malformed(0, "the movie index has no movie header") }
        guard !tracks.isEmpty else { throw .unsupportedLayout(.mp4, reason: "it has no video or audio track") }
        for t in tracks { summary.kept.insert(t.video ? .video : .audio) }

        let placed = try place(tracks)
        try measureFiltered(&tracks, placed)
        let payload = placed.reduce(0) { $0 + newBytes(tracks, $1) }
        let keptOriginal = placed.reduce(0) { $0 + tracks[$1.track].chunks[$1.chunk].bytes }
        if keptOriginal < spool.count { summary.removed.insert(.other) }

        let ftyp = fileType()
        let mdatHeader = payload + 8 > Int(UInt32.max) ? 16 : 8
        let draft = movieBox(header, tracks, offsets: nil, wide: false)
        let wide = ftyp.count + draft.count + mdatHeader + payload > Int(UInt32.max)
        let sized = wide ? movieBox(header, tracks, offsets: nil, wide: true) : draft
        var offsets = tracks.map { [Int](repeating: 0, count: $0.chunks.count) }
        var at = ftyp.count + sized.count + mdatHeader
        for p in placed {
            offsets[p.track][p.chunk] = at
            at += newBytes(tracks, p)
        }
        var out = ftyp + movieBox(header, tracks, offsets: offsets, wide: wide)
        if mdatHeader == 16 {
            MovieBoxWriter.appendBE(&out, 1, 4)
            MovieBoxWriter.appendBE(&out, UInt64(FourCC("mdat").value), 4)
            MovieBoxWriter.appendBE(&out, UInt64(payload + 16), 8)
        } else {
            MovieBoxWriter.appendBE(&out, UInt64(payload + 8), 4)
            MovieBoxWriter.appendBE(&out, UInt64(FourCC("mdat").value), 4)
        }
        try write(tracks, placed, start: out, emit: emit)
        return summary
    }

    /// Maps every kept chunk into the spool, refusing any that is not wholly inside one `mdat`,
    /// and orders them as they were in the file; overlapping chunks are refused.
    private func place(_ tracks: [KeptMovieTrack]) throws(RedactionError) -> [Placed] {
        var placed: [Placed] = []
        for (t, track) in tracks.enumerated() {
            for (c, chunk) in track.chunks.enumerated() {
                // Extents are in file order: the last one starting at or before the chunk is the only candidate.
                var low = 0
                var high = extents.count
                while low < high {
                    let mid = (low + high) / 2
                    if extents[mid].fileStart <= chunk.offset { low = mid + 1 } else { high = mid }
                }
                guard low > 0, chunk.offset - extents[low - 1].fileStart <= extents[low - 1].count - chunk.bytes else {
                    throw .malformed(.mp4, offset: chunk.offset, reason: "a sample lies outside the media data")
                }
                let e = extents[low - 1]
                placed.append(Placed(track: t, chunk: c, spoolOffset: e.spoolStart + chunk.offset - e.fileStart))
            }
        }
        placed.sort { $0.spoolOffset < $1.spoolOffset }
        for (a, b) in zip(placed, placed.dropFirst()) where a.spoolOffset + tracks[a.track].chunks[a.chunk].bytes > b.spoolOffset {
            throw .malformed(.mp4, offset: tracks[b.track].chunks[b.chunk].offset, reason: "two samples overlap")
        }
        return placed
    }

    private func newBytes(_ tracks: [KeptMovieTrack], _ p: Placed) -> Int {
        let track = tracks[p.track]
        let chunk = track.chunks[p.chunk]
        guard let sizes = track.filteredSizes else { return chunk.bytes }
        return (chunk.firstSample..<(chunk.firstSample + chunk.count)).reduce(0) { $0 + Int(sizes[$1]) }
    }

    /// First pass: the size of every H.264/HEVC sample once its SEI user data is gone.
    private mutating func measureFiltered(_ tracks: inout [KeptMovieTrack], _ placed: [Placed]) throws(RedactionError) {
        var buffer: [UInt8] = []
        for t in tracks.indices {
            guard let filter = tracks[t].sampleEntries.filter else { continue }
            var sizes = [UInt32](repeating: 0, count: tracks[t].sampleCount)
            var removedAny = false
            for p in placed where p.track == t {
                var at = p.spoolOffset
                let chunk = tracks[t].chunks[p.chunk]
                for s in chunk.firstSample..<(chunk.firstSample + chunk.count) {
                    let size = tracks[t].size(ofSample: s)
                    guard size <= Self.maxSampleBytes else { throw .unsupportedLayout(.mp4, reason: "a video frame larger than 64 MiB") }
                    try spool.read(at: at, count: size, into: &buffer)
                    if let clean = try filter.filter(buffer, at: at) {
                        sizes[s] = UInt32(clean.count)
                        removedAny = true
                    } else {
                        sizes[s] = UInt32(size)
                    }
                    at += size
                }
            }
            if removedAny { summary.removed.insert(.other) }  // user data: encoder settings, or a camcorder's GPS and clock
            tracks[t].filteredSizes = sizes
        }
    }

    /// Second pass: the kept chunks, in file order, in pieces of about 256 KiB.
    private func write(
        _ tracks: [KeptMovieTrack], _ placed: [Placed], start: [UInt8], emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void
    ) throws(RedactionError) {
        var out = start
        var buffer: [UInt8] = []
        func flush(_ force: Bool) throws(RedactionError) {
            guard out.count >= Self.pieceBytes || (force && !out.isEmpty) else { return }
            try out.withRawBytes { (raw) throws(RedactionError) in try emit(raw) }
            out.removeAll(keepingCapacity: true)
        }
        for p in placed {
            let track = tracks[p.track]
            let chunk = track.chunks[p.chunk]
            if let filter = track.sampleEntries.filter {
                var at = p.spoolOffset
                for s in chunk.firstSample..<(chunk.firstSample + chunk.count) {
                    let size = track.size(ofSample: s)
                    try spool.read(at: at, count: size, into: &buffer)
                    let sample = try filter.filter(buffer, at: at) ?? buffer
                    if sample.count >= Self.pieceBytes / 4 {
                        try flush(true)
                        try sample.withRawBytes { (raw) throws(RedactionError) in try emit(raw) }
                    } else {
                        out += sample
                        try flush(false)
                    }
                    at += size
                }
            } else {
                var done = 0
                while done < chunk.bytes {
                    let n = min(Self.pieceBytes, chunk.bytes - done)
                    try spool.read(at: p.spoolOffset + done, count: n, into: &buffer)
                    if n >= Self.pieceBytes / 4 {
                        // Large pieces go out as they are read: no second copy through `out`.
                        try flush(true)
                        try buffer.withRawBytes { (raw) throws(RedactionError) in try emit(raw) }
                    } else {
                        out += buffer
                        try flush(false)
                    }
                    done += n
                }
            }
        }
        try flush(true)
    }
}
