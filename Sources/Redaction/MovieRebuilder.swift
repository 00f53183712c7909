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
            case FourCC("mvhd"):
                header = try MovieHeaders.zeroingTimes(r, b, summary: &summary)
                if let length = MovieHeaders.movieLength(r, b) { summary.facts.setDuration(units: length.units, perSecond: length.perSecond) }
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

    /// First pass: the size of every H.264/HEVC sample once its SEI user data is gone, and
    /// which samples lost any (the second pass filters those again and copies the rest as they are).
    /// Samples are borrowed from the spool, not copied: only their NAL headers are read here.
    private mutating func measureFiltered(_ tracks: inout [KeptMovieTrack], _ placed: [Placed]) throws(RedactionError) {
        var scratch: [UInt8] = []
        for t in tracks.indices {
            guard let filter = tracks[t].sampleEntries.filter else { continue }
            var sizes = [UInt32](repeating: 0, count: tracks[t].sampleCount)
            var changed = [Bool](repeating: false, count: tracks[t].sampleCount)
            var removedAny = false
            for p in placed where p.track == t {
                var at = p.spoolOffset
                let chunk = tracks[t].chunks[p.chunk]
                for s in chunk.firstSample..<(chunk.firstSample + chunk.count) {
                    let size = tracks[t].size(ofSample: s)
                    guard size <= Self.maxSampleBytes else { throw .unsupportedLayout(.mp4, reason: "a video frame larger than 64 MiB") }
                    let clean = try spool.withBytes(at: at, count: size, scratch: &scratch) { (sample) throws(RedactionError) in
                        try filter.filter(sample, at: at)
                    }
                    if let clean {
                        sizes[s] = UInt32(clean.count)
                        changed[s] = true
                        removedAny = true
                    } else {
                        sizes[s] = UInt32(size)
                    }
                    at += size
                }
            }
            if removedAny { summary.removed.insert(.other) }  // user data: encoder settings, or a camcorder's GPS and clock
            tracks[t].filteredSizes = sizes
            tracks[t].filteredSamples = changed
        }
    }

    /// Second pass: the kept chunks, in file order. Runs of samples that stay as they were go
    /// out straight from the spool in pieces of up to 256 KiB; only samples that lost SEI and
    /// bits smaller than a quarter piece are copied (into `Output`, which gathers them).
    private func write(
        _ tracks: [KeptMovieTrack], _ placed: [Placed], start: [UInt8], emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void
    ) throws(RedactionError) {
        var out = Output(pending: start)
        var scratch: [UInt8] = []
        for p in placed {
            let track = tracks[p.track]
            let chunk = track.chunks[p.chunk]
            guard let filter = track.sampleEntries.filter, let changed = track.filteredSamples else {
                try copy(at: p.spoolOffset, count: chunk.bytes, to: &out, scratch: &scratch, emit)
                continue
            }
            var run = p.spoolOffset  // start of the samples not yet written, all unchanged
            var at = p.spoolOffset
            for s in chunk.firstSample..<(chunk.firstSample + chunk.count) {
                let size = track.size(ofSample: s)
                if changed[s] {
                    try copy(at: run, count: at - run, to: &out, scratch: &scratch, emit)
                    let clean = try spool.withBytes(at: at, count: size, scratch: &scratch) { (sample) throws(RedactionError) in
                        try filter.filter(sample, at: at)
                    }
                    guard let clean, clean.count == Int(track.filteredSizes?[s] ?? 0) else {
                        throw .malformed(.mp4, offset: at, reason: "a video sample changed between two reads")
                    }
                    try clean.withRawBytes { (raw) throws(RedactionError) in try out.add(raw, emit) }
                    run = at + size
                }
                at += size
            }
            try copy(at: run, count: at - run, to: &out, scratch: &scratch, emit)
        }
        try out.flush(emit)
    }

    /// Writes `count` spool bytes from `offset` unchanged, in pieces that end at multiples of
    /// 256 KiB of spool offset: the memory spool's blocks are multiples of that, so no piece
    /// straddles two blocks and every one is lent rather than copied.
    private func copy(
        at offset: Int, count: Int, to out: inout Output, scratch: inout [UInt8], _ emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void
    ) throws(RedactionError) {
        var at = offset
        let end = offset + count
        while at < end {
            let n = min(Self.pieceBytes - at % Self.pieceBytes, end - at)
            try spool.withBytes(at: at, count: n, scratch: &scratch) { (piece) throws(RedactionError) in try out.add(piece, emit) }
            at += n
        }
    }

    /// Gathers small pieces into about 256 KiB before emitting them, and lets large ones through
    /// as they are, so neither many tiny writes nor a second copy of the media data happen.
    private struct Output {
        var pending: [UInt8]

        mutating func add(_ piece: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) {
            if piece.count >= MovieRebuilder.pieceBytes / 4 {
                try flush(emit)
                try emit(piece)
            } else {
                pending.append(contentsOf: piece)
                if pending.count >= MovieRebuilder.pieceBytes { try flush(emit) }
            }
        }

        mutating func flush(_ emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) {
            guard !pending.isEmpty else { return }
            try pending.withRawBytes { (raw) throws(RedactionError) in try emit(raw) }
            pending.removeAll(keepingCapacity: true)
        }
    }
}
