import TiplinePolicy

/// The streaming Matroska/WebM scrubber behind `WebMScrubber` and `MatroskaScrubber`. EBML is
/// sequential, so the file is read element by element as it arrives and written back at the
/// same length: every removed element becomes a Void (`EC`) of exactly its size with zero
/// content, MuxingApp/WritingApp get a constant value of the same size, and nothing moves, so
/// the SeekHead's and the Cues' offsets stay valid without being rewritten. Output is withheld
/// only while a decision waits on later bytes: a track entry (until its end), a block group or
/// block (until its track number), a seek or cue entry (until its end), at most `holdLimit`.
struct MatroskaScrubCore {
    typealias Schema = MatroskaScrubSchema
    static let holdLimit = 16 * 1024 * 1024
    static let maxDepth = 12
    static let constantApp: [UInt8] = Array("Tipline".utf8)

    struct Open {
        let id: UInt32
        let start: Int
        /// nil: unknown size (Segment, Cluster), ends at the end of the file or of its parent's level.
        let end: Int?
        let action: Schema.Action
        let inspecting: Bool
    }

    /// `block`: a block whose track number is still being read; then `copy` or `skip`.
    enum LeafKind { case copy, collect, block, skip, zeroVoid }

    struct Leaf {
        let id: UInt32
        let start: Int
        let end: Int
        var kind: LeafKind
        var value: [UInt8] = []
    }

    /// A byte range whose output is `prefix` then zeros, whatever the input holds there.
    struct Overwrite {
        let start: Int
        let end: Int
        let prefix: [UInt8]
    }

    /// Output withheld from `start` until a decision about the element ending at `end`.
    struct Hold {
        let id: UInt32
        let start: Int
        let end: Int
        var bytes: [UInt8] = []
    }

    /// What a track entry said, collected while it is held.
    struct Entry {
        var number: UInt64?
        var type: UInt64?
        var codec: String?
        var refusal: String?
        /// Where its CodecPrivate's content lies, by input offset.
        var codecPrivate: Range<Int>?
        var pixelWidth: UInt64?
        var pixelHeight: UInt64?
    }

    let format: MediaFormat
    let docType: String
    var pos = 0
    var outPos = 0
    var header: [UInt8] = []
    var stack: [Open] = []
    var leaf: Leaf?
    var overwrite: Overwrite?
    var hold: Hold?
    var ready: [UInt8] = []
    var ebmlValues: [UInt32: [UInt8]] = [:]
    var entry = Entry()
    var seekTarget: [UInt8] = []
    var cueTrack: UInt64?
    var blockSeen = false
    /// Track number → kept; filled when Tracks ends.
    var tracks: [UInt64: Bool] = [:]
    var tracksDone = false
    var sawEBML = false
    var sawSegment = false
    var summary = ScrubSummary()
    /// Info's Duration (a float in TimestampScale units) and TimestampScale (ns, default 1 ms).
    var duration: Double?
    var timestampScale: UInt64 = 1_000_000

    init(format: MediaFormat, docType: String) {
        self.format = format
        self.docType = docType
    }

    func malformed(_ reason: String, at offset: Int? = nil) -> RedactionError {
        .malformed(format, offset: offset ?? pos, reason: reason)
    }

    mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        var i = 0
        while i < input.count {
            if leaf != nil {
                // A block's first bytes go one at a time: its track number decides where the rest goes.
                let n = leaf!.kind == .block ? 1 : min(leaf!.end - pos, input.count - i)
                try leafBytes(UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
                i += n
                if leaf != nil && pos == leaf!.end { try endLeaf() }
                continue
            }
            header.append(input[i])
            i += 1
            pos += 1
            if let need = try Self.headerLength(header, at: pos - header.count, self), header.count == need { try startElement() }
        }
        output += ready
        ready.removeAll(keepingCapacity: true)
    }

    mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        guard header.isEmpty, leaf == nil else { throw .truncated(format, offset: pos) }
        while let top = stack.last {
            if let end = top.end { throw end > pos ? .truncated(format, offset: pos) : malformed("an element overruns its parent") }
            try close()
        }
        guard sawSegment else { throw .truncated(format, offset: pos) }
        guard tracksDone else { throw malformed("the file has no Tracks element") }
        if let duration, duration.isFinite, duration > 0, duration * Double(timestampScale) < 1e16 {
            summary.facts.setDuration(units: UInt64(duration * Double(timestampScale)), perSecond: 1_000_000_000)
        }
        output += ready
        ready.removeAll()
        return summary
    }

    /// The length of an element header (ID + size) once its first bytes show it, else nil.
    static func headerLength(_ h: [UInt8], at offset: Int, _ core: Self) throws(RedactionError) -> Int? {
        let idLength = h[0].leadingZeroBitCount + 1
        guard idLength <= 4 else { throw core.malformed("an element ID longer than 4 bytes", at: offset) }
        guard h.count > idLength else { return nil }
        let sizeLength = h[idLength].leadingZeroBitCount + 1
        guard sizeLength <= 8 else { throw core.malformed("an element size field longer than 8 bytes", at: offset) }
        return idLength + sizeLength
    }

    /// A whole header has been read: close what it ends, check it fits, act on it.
    private mutating func startElement() throws(RedactionError) {
        let start = pos - header.count
        let idLength = header[0].leadingZeroBitCount + 1
        let id = header[0..<idLength].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let sizeLength = header.count - idLength
        var size = UInt64(header[idLength] & (0xFF >> sizeLength))
        for b in header[(idLength + 1)...] { size = size << 8 | UInt64(b) }
        let unknown = size == (UInt64(1) << (7 * sizeLength)) - 1
        // An unknown-size Cluster ends where an element of the Segment's level begins.
        while let top = stack.last, top.end == nil, top.id == Schema.cluster, Schema.segmentLevel.contains(id) { try close() }
        if stack.isEmpty && sawSegment && id != Schema.void {
            throw .unsupportedLayout(format, reason: "a second segment or other data after the segment at byte \(start)")
        }
        let parentEnd = stack.last(where: { $0.end != nil })?.end
        var end: Int?
        if unknown {
            guard Schema.unknownSizeAllowed.contains(id) else { throw malformed("an element of unknown size that must have one", at: start) }
        } else {
            guard size <= UInt64(Int.max / 2) else { throw malformed("an element size past any file", at: start) }
            end = pos + Int(size)
            if let parentEnd, end! > parentEnd { throw malformed("an element runs past its parent", at: start) }
        }
        if let parentEnd, pos > parentEnd { throw malformed("an element header runs past its parent", at: start) }
        guard stack.count < Self.maxDepth else { throw malformed("elements nested deeper than \(Self.maxDepth)", at: start) }
        let parent = stack.last
        var action = Schema.action(for: id, parent: parent?.id, inspecting: parent?.inspecting ?? false)
        if parent == nil && (id == Schema.ebml) == sawEBML { action = .refuse("the EBML header is not first or not alone") }
        if unknown, case .descend = action {} else if unknown { throw malformed("an element of unknown size that must have one", at: start) }
        try act(action, id: id, start: start, end: end)
    }

    private mutating func act(_ action: Schema.Action, id: UInt32, start: Int, end: Int?) throws(RedactionError) {
        let headerBytes = header
        header = []
        func push(inspecting: Bool) { stack.append(Open(id: id, start: start, end: end, action: action, inspecting: inspecting)) }
        switch action {
        case .refuse(let reason): throw .unsupportedLayout(format, reason: "\(reason) at byte \(start)")
        case .descend:
            if id == Schema.ebml { sawEBML = true }
            if id == Schema.segment {
                guard ebmlValues[Schema.docType] != nil else { throw malformed("the EBML header names no DocType", at: start) }
                sawSegment = true
            }
            push(inspecting: stack.last?.inspecting ?? false)
            emit(headerBytes)
        case .hold:
            guard hold == nil else { throw malformed("a nested element that must be held", at: start) }
            hold = Hold(id: id, start: start, end: end!)
            if id == Schema.trackEntry { entry = Entry() }
            if id == Schema.seek { seekTarget = [] }
            if id == Schema.cueTrackPositions { cueTrack = nil }
            if id == Schema.blockGroup { blockSeen = false }
            push(inspecting: false)
            emit(headerBytes)
        case .copy, .collect, .refuseIfKept:
            if case .refuseIfKept(let reason) = action { entry.refusal = entry.refusal ?? reason }
            // A copied field is a number, a short code or codec setup: a longer one could swallow
            // the elements after it (a track name inside a "timestamp scale").
            if action == .copy, end! - pos > (Schema.longCopied[id] ?? 8) { throw malformed("a field longer than its type allows", at: start) }
            if id == 0x63A2, hold?.id == Schema.trackEntry { entry.codecPrivate = pos..<end! }
            // Copied fields that describe the picture and its length are read on the way.
            let read = action == .collect || (action == .copy && Schema.facts.contains(id))
            leaf = Leaf(id: id, start: start, end: end!, kind: read ? .collect : .copy)
            emit(headerBytes)
        case .block:
            if id == Schema.simpleBlock {
                guard hold == nil else { throw malformed("a block inside a held element", at: start) }
                hold = Hold(id: id, start: start, end: end!)
            }
            leaf = Leaf(id: id, start: start, end: end!, kind: .block)
            emit(headerBytes)
        case .zeroVoid:
            beginOverwrite(Overwrite(start: start, end: end!, prefix: headerBytes))
            leaf = Leaf(id: id, start: start, end: end!, kind: .zeroVoid)
            emit(headerBytes)
        case .constant:
            let value = Array(Self.constantApp.prefix(end! - pos))
            beginOverwrite(Overwrite(start: start, end: end!, prefix: headerBytes + value))
            leaf = Leaf(id: id, start: start, end: end!, kind: .collect)
            emit(headerBytes)
        case .void(let category, let inspect):
            if let category { summary.removed.insert(category) }
            beginOverwrite(try voidOverwrite(start: start, end: end!))
            if inspect {
                push(inspecting: true)
            } else {
                leaf = Leaf(id: id, start: start, end: end!, kind: .skip)
            }
            emit(headerBytes)
        }
        try closeFinished()
    }

    /// A Void element spanning exactly [start, end): ID `EC`, the shortest size field that can
    /// say the rest (never the all-ones "unknown"), zero content.
    func voidOverwrite(start: Int, end: Int) throws(RedactionError) -> Overwrite {
        let total = end - start
        for length in 1...8 where total - 1 - length >= 0 && total - 1 - length < (1 << (7 * length)) - 1 {
            let size = total - 1 - length
            var field = (0..<length).map { UInt8(truncatingIfNeeded: size >> (8 * (length - 1 - $0))) }
            field[0] |= 0x80 >> (length - 1)
            return Overwrite(start: start, end: end, prefix: [0xEC] + field)
        }
        throw malformed("an element too large to replace", at: start)
    }

    /// The outermost overwrite wins: one inside the active one changes nothing.
    mutating func beginOverwrite(_ o: Overwrite) {
        if let current = overwrite, outPos < current.end, current.start <= o.start, o.end <= current.end { return }
        overwrite = o
    }

    /// Appends the output for the next `bytes.count` positions: the input, or the overwrite.
    mutating func emit(_ bytes: some Collection<UInt8>) {
        var rest = bytes[...]
        while !rest.isEmpty {
            if let o = overwrite, outPos < o.end, outPos >= o.start {
                let n = min(o.end - outPos, rest.count)
                let k = outPos - o.start
                let fromPrefix = max(0, min(o.prefix.count - k, n))
                if fromPrefix > 0 { sink(o.prefix[k..<(k + fromPrefix)]) }
                if n > fromPrefix { sink(repeatElement(0, count: n - fromPrefix)) }
                outPos += n
                rest = rest.dropFirst(n)
                continue
            }
            let n = overwrite.map { $0.start > outPos ? min($0.start - outPos, rest.count) : rest.count } ?? rest.count
            sink(rest.prefix(n))
            outPos += n
            rest = rest.dropFirst(n)
        }
    }

    private mutating func sink(_ bytes: some Collection<UInt8>) {
        if hold != nil { hold!.bytes.append(contentsOf: bytes) } else { ready.append(contentsOf: bytes) }
    }

    private mutating func leafBytes(_ piece: UnsafeRawBufferPointer) throws(RedactionError) {
        pos += piece.count
        switch leaf!.kind {
        case .collect:
            // Longer values are cut: every use of a collected value refuses or ignores a cut one.
            leaf!.value.append(contentsOf: piece.prefix(max(0, Schema.valueLimit + 1 - leaf!.value.count)))
        case .block:
            leaf!.value.append(contentsOf: piece)
        case .zeroVoid:
            if piece.contains(where: { $0 != 0 }) { summary.removed.insert(.other) }
        case .copy, .skip: break
        }
        emit(piece)
        if hold != nil, hold!.bytes.count > Self.holdLimit {
            throw .unsupportedLayout(format, reason: "an element Tipline must read whole is over \(Self.holdLimit) bytes")
        }
        if leaf?.kind == .block { try blockTrackKnown() }
    }
}
