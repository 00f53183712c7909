import TiplinePolicy

/// Scrubs MOV, MP4, 3GP and M4A by *rebuilding* them: a fresh `ftyp`, a fresh `moov` holding
/// only the video and audio tracks (times zeroed, metadata boxes gone, SEI user data removed
/// from H.264/HEVC samples) and a fresh `mdat` holding only those tracks' samples. Bytes that
/// belong to no kept sample (dropped telemetry and subtitle tracks, `freeGPS` blocks, padding)
/// are gone by construction, not by recognition.
///
/// Streaming: phones write `moov` after `mdat`, so nothing is known to be clean until the end.
/// Top-level boxes are read as they arrive; `ftyp` and `moov` are held (bounded), media data
/// goes to the `ScrubSpool` (encrypted on disk in intake), everything else is dropped as it
/// streams past. `finish` writes the rebuilt movie with `moov` first ("fast start").
public struct MovieScrubber: Scrubber {
    public static let format = MediaFormat.mp4
    /// A bigger index is refused: it is held in memory, and phones write a few MB at most.
    static let maxMovieIndexBytes = 64 * 1024 * 1024
    static let maxHeldBoxBytes = 1024 * 1024
    static let fragmented: Set<FourCC> = [
        FourCC("moof"), FourCC("mfra"), FourCC("sidx"), FourCC("styp"), FourCC("ssix"), FourCC("emsg"),
    ]

    private enum State {
        case header
        /// Collecting a small box whole: `ftyp`, `moov`, or a metadata box to name in the report.
        case hold(FourCC, start: Int, remaining: Int)
        /// Media data to the spool; nil remaining means "to the end of the file".
        case spool(remaining: Int?)
        case skip(remaining: Int?)
    }

    private let options: ScrubOptions
    private var state = State.header
    private var header: [UInt8] = []
    private var held: [UInt8] = []
    private var position = 0
    private var boxes = 0
    private var ftypBrand: FourCC?
    private var sawFtyp = false
    private var movie: (bytes: [UInt8], start: Int)?
    private var spool: (any ScrubSpool)?
    private var extents: [MovieMediaExtent] = []
    private var summary = ScrubSummary()

    public init(options: ScrubOptions) { self.options = options }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        var i = 0
        while i < input.count {
            let rest = input.count - i
            switch state {
            case .header:
                header.append(input[i])
                i += 1
                position += 1
                try headerByte()
            case .hold(let type, let start, let remaining):
                let n = min(rest, remaining)
                held.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
                i += n
                position += n
                if n == remaining { try heldBox(type, start: start) } else { state = .hold(type, start: start, remaining: remaining - n) }
            case .spool(let remaining):
                let n = min(rest, remaining ?? rest)
                try spool!.append(UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
                extents[extents.count - 1].count += n
                i += n
                position += n
                if let remaining { state = n == remaining ? .header : .spool(remaining: remaining - n) }
            case .skip(let remaining):
                let n = min(rest, remaining ?? rest)
                i += n
                position += n
                if let remaining { state = n == remaining ? .header : .skip(remaining: remaining - n) }
            }
        }
    }

    /// A box header is 8 bytes, or 16 with a 64-bit size; decides what to do with the box.
    private mutating func headerByte() throws(RedactionError) {
        guard header.count >= 8 else { return }
        let size32 = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        if size32 == 1 && header.count < 16 { return }
        let type = FourCC(value: header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        let start = position - header.count
        var payload: Int?
        if size32 == 1 {
            let large = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard large >= 16, large <= UInt64(options.maxFileBytes) + 16 else {
                throw .malformed(.mp4, offset: start, reason: "box '\(type)' has an impossible size")
            }
            payload = Int(large) - 16
        } else if size32 != 0 {
            guard size32 >= 8 else { throw .malformed(.mp4, offset: start, reason: "box '\(type)' is smaller than its header") }
            payload = size32 - 8
        }
        header = []
        boxes += 1
        guard boxes <= 100_000 else { throw .malformed(.mp4, offset: start, reason: "too many top-level boxes") }
        try begin(type, start: start, payload: payload)
    }

    private mutating func begin(_ type: FourCC, start: Int, payload: Int?) throws(RedactionError) {
        if Self.fragmented.contains(type) {
            throw .unsupportedLayout(.mp4, reason: "fragmented MP4, as written by live streaming and some cameras")
        }
        switch type {
        case FourCC("ftyp"):
            guard start == 0, let payload, payload >= 8, payload <= 4096 else {
                throw .malformed(.mp4, offset: start, reason: "the file-type box is misplaced or malformed")
            }
            state = .hold(type, start: start, remaining: payload)
        case FourCC("moov"):
            guard movie == nil else { throw .malformed(.mp4, offset: start, reason: "the file has two movie indexes") }
            guard let payload else { throw .malformed(.mp4, offset: start, reason: "the movie index has no size") }
            guard payload <= Self.maxMovieIndexBytes else {
                throw .unsupportedLayout(.mp4, reason: "its index is larger than \(Self.maxMovieIndexBytes >> 20) MiB")
            }
            state = .hold(type, start: start, remaining: payload)
        case FourCC("mdat"):
            if spool == nil { spool = try options.spool.make() }
            extents.append(MovieMediaExtent(fileStart: position, spoolStart: spool!.count, count: 0))
            state = payload == 0 ? .header : .spool(remaining: payload)
        case FourCC("udta"), FourCC("meta"), FourCC("uuid"):
            if let payload, payload <= Self.maxHeldBoxBytes {
                state = .hold(type, start: start, remaining: payload)
            } else {
                summary.removed.insert(.other)
                state = .skip(remaining: payload)
            }
        default:
            // free, skip, wide, pnot, junk and anything unknown: nothing of it is copied.
            state = payload == 0 ? .header : .skip(remaining: payload)
        }
        if case .hold(_, _, 0) = state { try heldBox(type, start: start) }
    }

    private mutating func heldBox(_ type: FourCC, start: Int) throws(RedactionError) {
        let payload = held
        held = []
        state = .header
        switch type {
        case FourCC("ftyp"):
            sawFtyp = true
            ftypBrand = FourCC(value: payload[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case FourCC("moov"):
            movie = (payload, start)
        default:
            let r = MovieBoxReader(bytes: payload, fileOffset: start)
            MovieMetadata.classify(r, dropped: MovieBox(type: type, start: 0, payload: 0, end: payload.count), into: &summary)
        }
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        try finish { (piece) throws(RedactionError) in output.append(contentsOf: piece) }
    }

    public mutating func finish(emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) -> ScrubSummary {
        switch state {
        case .header where header.isEmpty, .spool(nil), .skip(nil): break
        default: throw .truncated(.mp4, offset: position)
        }
        guard let movie else { throw .malformed(.mp4, offset: position, reason: "the file has no movie index (moov)") }
        let quickTime = !sawFtyp || ftypBrand == FourCC("qt  ")
        var rebuilder = MovieRebuilder(
            index: MovieBoxReader(bytes: movie.bytes, fileOffset: movie.start + 8), quickTime: quickTime,
            extents: extents, spool: spool ?? MemorySpool(), summary: summary)
        self.movie = nil
        return try rebuilder.run(emit: emit)
    }
}

/// One `mdat` payload: where it was in the file and where its bytes are in the spool.
struct MovieMediaExtent {
    var fileStart: Int
    var spoolStart: Int
    var count: Int
}
