import TiplinePolicy

/// One track of the original movie, read from its `trak` box: either kept (the picture or the
/// sound, rebuilt box by box) or dropped, with the kinds of metadata it carried.
enum MovieTrack {
    case kept(KeptMovieTrack)
    case dropped(Set<MetadataCategory>)

    /// Handlers whose tracks carry no picture or sound: telemetry (GoPro GPMF, DJI, Apple
    /// `mebx`, `camm`), subtitles, timecode, chapters, hints.
    static func categories(ofDroppedHandler handler: FourCC) -> Set<MetadataCategory> {
        switch handler {
        case FourCC("tmcd"): [.otherTracks, .timestamps]
        case FourCC("meta"), FourCC("camm"), FourCC("data"): [.otherTracks, .location, .device]
        default: [.otherTracks]
        }
    }

    static func read(_ r: MovieBoxReader, trak: MovieBox, summary: inout ScrubSummary) throws(RedactionError) -> MovieTrack {
        var tkhd: MovieBox?
        var edts: MovieBox?
        var mdia: MovieBox?
        for b in try r.boxes(in: trak.payload..<trak.end) {
            switch b.type {
            case FourCC("tkhd"): tkhd = b
            case FourCC("edts"): edts = b
            case FourCC("mdia"): mdia = b
            default: MovieMetadata.classify(r, dropped: b, into: &summary)
            }
        }
        guard let tkhd, let mdia else { throw r.malformed(trak.start, "a track has no header or no media") }
        var mdhd: MovieBox?
        var hdlr: MovieBox?
        var minf: MovieBox?
        for b in try r.boxes(in: mdia.payload..<mdia.end) {
            switch b.type {
            case FourCC("mdhd"): mdhd = b
            case FourCC("hdlr"): hdlr = b
            case FourCC("minf"): minf = b
            default: MovieMetadata.classify(r, dropped: b, into: &summary)
            }
        }
        guard let mdhd, let hdlr, let minf else { throw r.malformed(mdia.start, "a track's media box is incomplete") }
        let handler = FourCC(value: UInt32(try r.be(hdlr.payload + 8, 4, in: hdlr.payload..<hdlr.end)))
        let video = handler == FourCC("vide")
        guard video || handler == FourCC("soun") else { return .dropped(categories(ofDroppedHandler: handler)) }

        var track = KeptMovieTrack(video: video)
        track.trackHeader = try MovieHeaders.zeroingTimes(r, tkhd, summary: &summary)
        track.mediaHeader = try MovieHeaders.zeroingTimes(r, mdhd, summary: &summary)
        if let edts { track.editList = try MovieHeaders.plainEditList(r, edts) }
        if video && !MovieHeaders.isIdentityMatrix(r, tkhd) { summary.kept.insert(.orientation) }
        if video, let (w, h) = MovieHeaders.presentationSize(r, tkhd) { summary.facts.setSize(width: w, height: h) }
        var stbl: MovieBox?
        for b in try r.boxes(in: minf.payload..<minf.end) {
            switch b.type {
            case FourCC("stbl"): stbl = b
            case FourCC("dinf"): try MovieHeaders.requireSelfContained(r, b)
            case FourCC("vmhd"), FourCC("smhd"), FourCC("hdlr"): break  // written fresh
            default: MovieMetadata.classify(r, dropped: b, into: &summary)
            }
        }
        guard let stbl else { throw r.malformed(minf.start, "a track has no sample table") }
        try track.readSampleTable(r, stbl, summary: &summary)
        return .kept(track)
    }
}

/// The fixed headers of the rebuilt movie: times zeroed, edit lists checked, data references
/// required to point inside the file.
enum MovieHeaders {
    /// `mvhd`, `tkhd`, `mdhd`: version 0 has 32-bit creation and modification times right
    /// after version and flags, version 1 64-bit ones. Everything else is kept.
    static let headerSizes: [FourCC: (v0: Int, v1: Int)] = [FourCC("mvhd"): (100, 112), FourCC("tkhd"): (84, 96), FourCC("mdhd"): (24, 36)]

    static func zeroingTimes(_ r: MovieBoxReader, _ b: MovieBox, summary: inout ScrubSummary) throws(RedactionError) -> [UInt8] {
        let version = try r.be(b.payload, 1, in: b.payload..<b.end)
        let width = version == 1 ? 8 : 4
        guard version <= 1, b.payloadCount >= 4 + 2 * width + 8 else {
            throw r.malformed(b.start, "'\(b.type)' has an unknown version or is too short")
        }
        // These headers have one size per version; a longer one would carry unread bytes along.
        if let sizes = Self.headerSizes[b.type], b.payloadCount != (version == 1 ? sizes.v1 : sizes.v0) {
            throw r.malformed(b.start, "'\(b.type)' is not the size its version has")
        }
        var payload = Array(r.slice(b.payload..<b.end))
        let times = 4..<(4 + 2 * width)
        if payload[times].contains(where: { $0 != 0 }) { summary.removed.insert(.timestamps) }
        for i in times { payload[i] = 0 }
        return MovieBoxWriter.box(b.type, payload)
    }

    /// `tkhd`'s width and height (16.16 fixed point, after the matrix), in whole pixels.
    static func presentationSize(_ r: MovieBoxReader, _ tkhd: MovieBox) -> (UInt64, UInt64)? {
        let range = tkhd.payload..<tkhd.end
        guard let version = try? r.be(tkhd.payload, 1, in: range) else { return nil }
        let at = tkhd.payload + (version == 1 ? 88 : 76)
        guard let w = try? r.be(at, 4, in: range), let h = try? r.be(at + 4, 4, in: range) else { return nil }
        return (w >> 16, h >> 16)
    }

    /// `mvhd`'s duration and timescale: the movie's length.
    static func movieLength(_ r: MovieBoxReader, _ mvhd: MovieBox) -> (units: UInt64, perSecond: UInt64)? {
        let range = mvhd.payload..<mvhd.end
        guard let version = try? r.be(mvhd.payload, 1, in: range) else { return nil }
        let at = mvhd.payload + (version == 1 ? 20 : 12)
        guard let scale = try? r.be(at, 4, in: range), let units = try? r.be(at + 4, version == 1 ? 8 : 4, in: range) else { return nil }
        return (units, scale)
    }

    static func isIdentityMatrix(_ r: MovieBoxReader, _ tkhd: MovieBox) -> Bool {
        let version = (try? r.be(tkhd.payload, 1, in: tkhd.payload..<tkhd.end)) ?? 0
        let matrix = tkhd.payload + (version == 1 ? 52 : 40)
        let identity: [UInt8] = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0]
        guard matrix + 36 <= tkhd.end else { return true }
        return r.slice(matrix..<(matrix + 36)).elementsEqual(identity)
    }

    /// An edit list is kept only if it shifts or trims (empty edits, or rate 1): anything
    /// else changes what plays, and is refused rather than silently dropped.
    static func plainEditList(_ r: MovieBoxReader, _ edts: MovieBox) throws(RedactionError) -> [UInt8]? {
        guard let elst = try r.boxes(in: edts.payload..<edts.end).first(where: { $0.type == FourCC("elst") }) else { return nil }
        let range = elst.payload..<elst.end
        let version = try r.be(elst.payload, 1, in: range)
        let count = try r.int(elst.payload + 4, 4, in: range)
        let entrySize = version == 1 ? 20 : 12
        guard version <= 1, count <= (elst.payloadCount - 8) / entrySize else {
            throw r.malformed(elst.start, "the edit list is malformed")
        }
        for i in 0..<count {
            let rate = elst.payload + 8 + i * entrySize + (version == 1 ? 16 : 8)
            guard try r.be(rate, 4, in: range) == 0x0001_0000 else {
                throw .unsupportedLayout(.mp4, reason: "an edit list that changes playback speed")
            }
        }
        let entries = Array(r.slice((elst.payload + 8)..<(elst.payload + 8 + count * entrySize)))
        var payload: [UInt8] = [UInt8(version), 0, 0, 0]
        MovieBoxWriter.appendBE(&payload, UInt64(count), 4)
        return MovieBoxWriter.box(FourCC("edts"), MovieBoxWriter.box(FourCC("elst"), payload + entries))
    }

    /// Samples must be in this file: a `url `/`alis`/`urn ` entry without the self-contained
    /// flag points at another file (and carries its path or address).
    static func requireSelfContained(_ r: MovieBoxReader, _ dinf: MovieBox) throws(RedactionError) {
        for dref in try r.boxes(in: dinf.payload..<dinf.end) where dref.type == FourCC("dref") {
            for entry in try r.boxes(in: (dref.payload + 8)..<dref.end) {
                let flags = try r.be(entry.payload, 4, in: entry.payload..<entry.end) & 0xFF_FFFF
                guard flags & 1 == 1 else {
                    throw .unsupportedLayout(.mp4, reason: "its media data is in another file")
                }
            }
        }
    }
}
