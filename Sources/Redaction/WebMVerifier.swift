import TiplinePolicy

/// Re-reads scrubbed WebM/Matroska output with its own EBML walker (nothing shared with the
/// scrubber) and fails unless every element is on `WebMVerifierRules`' allowlist under its
/// parent: so no Tags, Attachments, Chapters, Title, DateUTC, UIDs, track names or CRCs remain.
/// Also: every Void is all zeros, MuxingApp/WritingApp are the constant, only VP8/VP9 video and
/// Opus/Vorbis audio tracks are declared, every block and cue belongs to one of them, only
/// Segment and Cluster have unknown sizes, and nothing follows the end. Memory: a few headers.
struct EBMLOutputCheck {
    private typealias Rules = WebMVerifierRules
    private struct Level {
        let id: UInt32
        let end: UInt64?
    }

    let format: MediaFormat
    let docType: String
    private var at: UInt64 = 0
    private var head: [UInt8] = []
    private var levels: [Level] = []
    /// The element being skipped or read: its id, end and how.
    private var current: (id: UInt32, end: UInt64, read: Rules.Read)?
    private var value: [UInt8] = []
    /// A value ran past the 64 bytes kept, with a non-zero byte there.
    private var longValue = false
    private var trackFields: [UInt32: [UInt8]] = [:]
    private var setup: [UInt8] = []
    private var setupCut = false
    private var keptTracks: Set<UInt64> = []
    private var tracksEnded = false
    private var sawDocType = false
    private var segmentDone = false
    private var sawSegment = false

    init(format: MediaFormat, docType: String) {
        self.format = format
        self.docType = docType
    }

    private func fail(_ why: String) -> RedactionError { .verificationFailed(format, reason: "\(why) at byte \(at)") }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var i = 0
        while i < bytes.count {
            if let c = current {
                let n = Int(min(c.end - at, UInt64(bytes.count - i)))
                let piece = bytes[i..<(i + n)]
                switch c.read {
                case .zeros: if piece.contains(where: { $0 != 0 }) { throw fail("a Void with content") }
                case .setup:
                    if setup.count + n > Rules.setupLimit { setupCut = true }
                    setup += piece.prefix(max(0, Rules.setupLimit - setup.count))
                case .value, .block:
                    let room = max(0, 64 - value.count)
                    value += piece.prefix(room)
                    if piece.dropFirst(room).contains(where: { $0 != 0 }) { longValue = true }
                default: break
                }
                i += n
                at += UInt64(n)
                if at == c.end { try leafDone() }
                continue
            }
            head.append(bytes[i])
            i += 1
            at += 1
            try headByte()
        }
    }

    mutating func finish() throws(RedactionError) {
        guard head.isEmpty, current == nil else { throw fail("output ends inside an element") }
        while let l = levels.popLast() {
            guard l.end == nil else { throw fail("output ends inside an element") }
            try closed(l.id)
        }
        guard sawSegment, tracksEnded, !keptTracks.isEmpty else { throw fail("output has no segment with tracks") }
    }

    private mutating func headByte() throws(RedactionError) {
        let idCount = head[0].leadingZeroBitCount + 1
        guard idCount <= 4 else { throw fail("an ID over 4 bytes") }
        guard head.count > idCount else { return }
        let sizeCount = head[idCount].leadingZeroBitCount + 1
        guard sizeCount <= 8 else { throw fail("a size over 8 bytes") }
        guard head.count == idCount + sizeCount else { return }
        var id: UInt32 = 0
        for b in head[..<idCount] { id = id << 8 | UInt32(b) }
        var size = UInt64(head[idCount]) & (UInt64(0xFF) >> UInt64(sizeCount))
        for b in head[(idCount + 1)...] { size = size << 8 | UInt64(b) }
        let unknown = size == (1 << (7 * UInt64(sizeCount))) - 1
        head = []
        try element(id: id, size: unknown ? nil : size)
    }

    private mutating func element(id: UInt32, size: UInt64?) throws(RedactionError) {
        if let last = levels.last, last.id == 0x1F43_B675, last.end == nil, Rules.clusterEnders.contains(id) {
            levels.removeLast()
        }
        if levels.isEmpty && segmentDone && id != 0xEC { throw fail("data after the segment") }
        if levels.isEmpty && id == 0x1A45_DFA3 && sawDocType { throw fail("a second EBML header") }
        if levels.isEmpty && id == 0x1853_8067 {
            guard sawDocType, !sawSegment else { throw fail("a segment before the EBML header, or a second one") }
            sawSegment = true
        }
        if levels.count > 10 { throw fail("elements nested too deep") }
        guard let read = Rules.allowed[levels.last?.id]?[id] else {
            throw fail(String("element 0x\(String(id, radix: 16, uppercase: true)) is not allowed here"))
        }
        if (id == 0xA3 || id == 0xA1 || id == 0xB7) && !tracksEnded { throw fail("a block or cue before the tracks") }
        if id == 0xAE {
            trackFields = [:]
            setup = []
            setupCut = false
        }
        let bound = levels.last { $0.end != nil }?.end
        guard let size else {
            guard id == 0x1853_8067 || id == 0x1F43_B675 else { throw fail("an unknown size on an element that needs one") }
            levels.append(Level(id: id, end: nil))
            return
        }
        let end = at + size
        if let bound, end > bound { throw fail("an element past its parent's end") }
        value = []
        longValue = false
        if case .children = read {
            levels.append(Level(id: id, end: end))
            try endLevels()
        } else {
            if case .opaque = read, size > (Rules.longOpaque[id] ?? 8) { throw fail("a field longer than its type allows") }
            current = (id, end, read)
            if size == 0 { try leafDone() }
        }
    }

    private mutating func leafDone() throws(RedactionError) {
        let c = current!
        current = nil
        switch c.read {
        case .value: try checkValue(c.id)
        case .block:
            guard let first = value.first, first.leadingZeroBitCount < 8 else { throw fail("a block without a track number") }
            let n = first.leadingZeroBitCount + 1
            guard value.count >= n else { throw fail("a block too short") }
            var track = UInt64(first) & (UInt64(0xFF) >> UInt64(n))
            for b in value[1..<n] { track = track << 8 | UInt64(b) }
            guard keptTracks.contains(track) else { throw fail("a block of track \(track), which is not a kept track") }
        default: break
        }
        try endLevels()
    }

    private func number(_ v: [UInt8]) throws(RedactionError) -> UInt64 {
        guard v.count <= 8 else { throw fail("a number over 8 bytes") }
        var n: UInt64 = 0
        for b in v { n = n << 8 | UInt64(b) }
        return n
    }

    private mutating func checkValue(_ id: UInt32) throws(RedactionError) {
        let parent = levels.last!.id
        switch id {
        case 0x4D80, 0x5741:
            let constant = Rules.app.prefix(value.count) + [UInt8](repeating: 0, count: max(0, value.count - Rules.app.count))
            guard value.elementsEqual(constant), !longValue else { throw fail("a MuxingApp or WritingApp that is not the constant") }
        case 0x53AB:
            guard value.count <= 4, Rules.seekable.contains(UInt32(try number(value))) else { throw fail("a seek entry to a removed element") }
        case 0xF7:
            guard keptTracks.contains(try number(value)) else { throw fail("a cue entry of a track that is not kept") }
        case 0x4282:
            guard value.prefix(while: { $0 != 0 }).elementsEqual(docType.utf8) else { throw fail("the DocType is not \(docType)") }
            sawDocType = true
        case 0x42F7: guard try number(value) == 1 else { throw fail("an EBML read version other than 1") }
        case 0x4285: guard try number(value) <= 4 else { throw fail("a DocType read version above 4") }
        case 0x42F2: guard try number(value) <= 4 else { throw fail("IDs longer than 4 bytes") }
        case 0x42F3: guard try number(value) <= 8 else { throw fail("sizes longer than 8 bytes") }
        default:
            guard parent == 0xAE else { throw fail("an unexpected value") }
            guard trackFields[id] == nil else { throw fail("a track field given twice") }
            trackFields[id] = value
        }
    }

    /// Closes every level that ends exactly here (an unknown size also ends with its bound).
    private mutating func endLevels() throws(RedactionError) {
        while let l = levels.last, (l.end ?? levels.last(where: { $0.end != nil })?.end) == at {
            levels.removeLast()
            try closed(l.id)
        }
    }

    private mutating func closed(_ id: UInt32) throws(RedactionError) {
        switch id {
        case 0x1A45_DFA3: guard sawDocType else { throw fail("an EBML header without a DocType") }
        case 0x1853_8067: segmentDone = true
        case 0x1654_AE6B:
            guard !tracksEnded else { throw fail("a second Tracks element") }
            tracksEnded = true
        case 0xAE:
            guard let n = trackFields[0xD7], let t = trackFields[0x83], let c = trackFields[0x86] else {
                throw fail("a track without number, type or codec")
            }
            let type = try number(t), track = try number(n)
            let codec = String(decoding: c.prefix(while: { $0 != 0 }), as: UTF8.self)
            guard Rules.kept[type]?.contains(codec) == true else { throw fail("a track that is not VP8/VP9 video or Opus/Vorbis audio") }
            if codec == "A_VORBIS" { try checkVorbisSetup() }
            if codec == "A_OPUS" && !(setup.starts(with: Rules.opusHead) && setup.count <= 276) {
                throw fail("an Opus setup that is not an OpusHead")
            }
            if codec.hasPrefix("V_") && setup.count > 64 { throw fail("a video codec setup over 64 bytes") }
            guard keptTracks.insert(track).inserted else { throw fail("track \(track) declared twice") }
        default: break
        }
    }
}

extension EBMLOutputCheck {
    /// The second of the three laced Vorbis headers must be the blank comment header, then zeros.
    fileprivate func checkVorbisSetup() throws(RedactionError) {
        let s = setup
        guard !setupCut, s.first == 2 else { throw fail("a Vorbis track's headers are not three laced packets") }
        var i = 1
        var lengths: [Int] = []
        while lengths.count < 2 {
            var total = 0
            repeat {
                guard i < s.count else { throw fail("a Vorbis track's header lacing is cut") }
                total += Int(s[i])
                i += 1
            } while s[i - 1] == 0xFF
            lengths.append(total)
        }
        let from = i + lengths[0]
        guard from + lengths[1] <= s.count, lengths[1] >= Rules.blankVorbisComment.count else { throw fail("a Vorbis comment header is cut") }
        let comment = s[from..<(from + lengths[1])]
        guard comment.prefix(Rules.blankVorbisComment.count).elementsEqual(Rules.blankVorbisComment),
            comment.dropFirst(Rules.blankVorbisComment.count).allSatisfy({ $0 == 0 })
        else { throw fail("a Vorbis comment header that is not blank") }
    }
}

/// The verifier registered for WebM output.
public struct WebMVerifier: OutputVerifier {
    public static let format = MediaFormat.webm
    private var check = EBMLOutputCheck(format: .webm, docType: "webm")
    public init(options: ScrubOptions) {}
    public mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) { try check.consume(output) }
    public mutating func finish() throws(RedactionError) { try check.finish() }
}

/// The verifier registered for MKV output.
public struct MatroskaVerifier: OutputVerifier {
    public static let format = MediaFormat.mkv
    private var check = EBMLOutputCheck(format: .mkv, docType: "matroska")
    public init(options: ScrubOptions) {}
    public mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError) { try check.consume(output) }
    public mutating func finish() throws(RedactionError) { try check.finish() }
}
