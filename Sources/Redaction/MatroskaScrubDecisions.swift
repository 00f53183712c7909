import TiplinePolicy

/// The scrubber's decisions at the end of an element: the EBML header's versions, which
/// tracks stay, which blocks, seek and cue entries go with them, and what removed tags held.
extension MatroskaScrubCore {
    /// Codecs kept, by Matroska CodecID: their blocks carry no user data (no SEI, no metadata OBUs).
    static let videoCodecs: Set<String> = ["V_VP8", "V_VP9"]
    static let audioCodecs: Set<String> = ["A_OPUS", "A_VORBIS"]
    /// Named in refusals: common codecs Tipline cannot clean inside Matroska yet.
    static let refusedCodecs: [String: String] = [
        "V_AV1": "AV1 video (its metadata OBUs are not removed yet)",
        "V_MPEG4/ISO/AVC": "H.264 video in Matroska (its SEI user data cannot be removed in place)",
        "V_MPEGH/ISO/HEVC": "HEVC video in Matroska (its SEI user data cannot be removed in place)",
        "A_AAC": "AAC audio in Matroska", "A_PCM/INT/LIT": "PCM audio in Matroska", "A_FLAC": "FLAC audio in Matroska",
    ]
    static let highestDocTypeReadVersion: UInt64 = 4

    /// Ends the current leaf, then every master that ends at the same byte.
    mutating func endLeaf() throws(RedactionError) {
        let l = leaf!
        leaf = nil
        if l.kind == .block { throw malformed("a block too short to name its track", at: l.start) }
        if l.kind == .collect { try collected(l) }
        try closeFinished()
    }

    mutating func closeFinished() throws(RedactionError) {
        if let l = leaf, l.end == pos { return try endLeaf() }
        // An unknown-size element also ends where its nearest known-size ancestor does.
        while leaf == nil, let top = stack.last, (top.end ?? stack.last(where: { $0.end != nil })?.end) == pos { try close() }
    }

    private func uint(_ v: [UInt8], at offset: Int) throws(RedactionError) -> UInt64 {
        guard v.count <= 8 else { throw malformed("an integer longer than 8 bytes", at: offset) }
        return v.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private func string(_ v: [UInt8]) -> String { String(decoding: v.prefix { $0 != 0 }, as: UTF8.self) }

    private mutating func collected(_ l: Leaf) throws(RedactionError) {
        typealias S = MatroskaScrubSchema
        switch l.id {
        case S.trackNumber: entry.number = try uint(l.value, at: l.start)
        case S.trackType: entry.type = try uint(l.value, at: l.start)
        case S.codecID: entry.codec = string(l.value)
        case S.seekID: seekTarget = l.value
        case S.cueTrack: cueTrack = try uint(l.value, at: l.start)
        case 0xB0 where hold?.id == S.trackEntry: entry.pixelWidth = try uint(l.value, at: l.start)
        case 0xBA where hold?.id == S.trackEntry: entry.pixelHeight = try uint(l.value, at: l.start)
        case 0x2A_D7B1: timestampScale = try uint(l.value, at: l.start)
        case 0x4489:  // Duration: a 4- or 8-byte big-endian float
            let bits = try uint(l.value, at: l.start)
            switch l.value.count {
            case 4: duration = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case 8: duration = Double(bitPattern: bits)
            default: duration = nil
            }
        case S.tagName: summary.removed.insert(S.category(ofTag: string(l.value)))
        case S.fileMediaType: if string(l.value).lowercased().hasPrefix("image/") { summary.removed.insert(.thumbnail) }
        case 0x4D80, 0x5741:  // MuxingApp, WritingApp
            if l.value != Array(Self.constantApp.prefix(l.value.count)) + [UInt8](repeating: 0, count: max(0, l.value.count - 7)) {
                summary.removed.insert(.editing)
            }
        default: ebmlValues[l.id] = l.value
        }
    }

    /// A master element ends (at its declared end, or for unknown sizes where its level ends).
    mutating func close() throws(RedactionError) {
        typealias S = MatroskaScrubSchema
        let open = stack.removeLast()
        switch open.id {
        case S.ebml: try checkEBMLHeader(at: open.start)
        case S.trackEntry: try resolve(keep: try keepTrack(at: open.start))
        case S.seek: try resolve(keep: seekTarget.count <= 4 && S.seekTargetsKept.contains(seekTarget.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case S.cueTrackPositions:
            guard let track = cueTrack, let kept = tracks[track] else { throw malformed("a cue entry for an undeclared track", at: open.start) }
            try resolve(keep: kept)
        case S.blockGroup:
            guard blockSeen else { throw malformed("a block group without a block", at: open.start) }
        case S.tracks:
            guard !tracksDone else { throw malformed("a second Tracks element", at: open.start) }
            tracksDone = true
            guard tracks.values.contains(true) else {
                throw .unsupportedLayout(format, reason: "no picture or sound track Tipline can keep")
            }
        default: break
        }
    }

    private mutating func checkEBMLHeader(at offset: Int) throws(RedactionError) {
        typealias S = MatroskaScrubSchema
        let v = ebmlValues
        guard string(v[S.docType] ?? []) == docType else { throw malformed("the DocType is not \(docType)", at: offset) }
        if let r = v[S.ebmlReadVersion], try uint(r, at: offset) > 1 {
            throw .unsupportedLayout(format, reason: "an EBML read version above 1")
        }
        if let r = v[S.docTypeReadVersion], try uint(r, at: offset) > Self.highestDocTypeReadVersion {
            throw .unsupportedLayout(format, reason: "a Matroska read version above \(Self.highestDocTypeReadVersion)")
        }
        if let r = v[S.maxIDLength], try uint(r, at: offset) > 4 { throw .unsupportedLayout(format, reason: "element IDs longer than 4 bytes") }
        if let r = v[S.maxSizeLength], try uint(r, at: offset) > 8 { throw .unsupportedLayout(format, reason: "size fields longer than 8 bytes") }
    }

    /// Video (type 1) and audio (type 2) tracks with a listed codec stay; subtitle, button,
    /// logo, complex, control and metadata tracks go, with their blocks.
    private mutating func keepTrack(at offset: Int) throws(RedactionError) -> Bool {
        guard let number = entry.number, number > 0, let type = entry.type, let codec = entry.codec else {
            throw malformed("a track entry without a number, type or codec", at: offset)
        }
        guard !tracksDone, tracks[number] == nil else { throw malformed("track number \(number) declared twice", at: offset) }
        let keep = type == 1 || type == 2
        tracks[number] = keep
        guard keep else {
            summary.removed.insert(.otherTracks)
            return false
        }
        let allowed = type == 1 ? Self.videoCodecs : Self.audioCodecs
        guard allowed.contains(codec) else {
            let what = Self.refusedCodecs[codec] ?? (type == 1 ? "a video codec other than VP8 and VP9" : "an audio codec other than Opus and Vorbis")
            throw .unsupportedLayout(format, reason: what)
        }
        if let refusal = entry.refusal { throw .unsupportedLayout(format, reason: refusal) }
        if let p = entry.codecPrivate, p.count > MatroskaScrubSchema.codecPrivateLimit[codec] ?? 0 {
            throw malformed("codec setup longer than the codec's", at: p.lowerBound)
        }
        if codec == "A_OPUS", let p = entry.codecPrivate {
            let b = hold!.bytes[(p.lowerBound - hold!.start)..<(p.upperBound - hold!.start)]
            guard b.starts(with: "OpusHead".utf8) else { throw malformed("an Opus track's setup is not an OpusHead", at: p.lowerBound) }
        }
        if codec == "A_VORBIS" {
            guard let p = entry.codecPrivate else { throw malformed("a Vorbis track without its headers", at: offset) }
            let base = hold!.start
            summary.removed.formUnion(
                try MatroskaVorbisPrivate.scrub(&hold!.bytes, (p.lowerBound - base)..<(p.upperBound - base), format: format, offset: p.lowerBound))
        }
        summary.kept.insert(type == 1 ? .video : .audio)
        if type == 1, let w = entry.pixelWidth, let h = entry.pixelHeight { summary.facts.setSize(width: w, height: h) }
        return true
    }

    /// The current block's track number is complete once its EBML length is.
    mutating func blockTrackKnown() throws(RedactionError) {
        let v = leaf!.value
        let length = v[0].leadingZeroBitCount + 1
        guard length <= 8 else { throw malformed("a block track number longer than 8 bytes", at: leaf!.start) }
        guard v.count == length else { return }
        var number = UInt64(v[0] & (0xFF >> length))
        for b in v.dropFirst() { number = number << 8 | UInt64(b) }
        guard leaf!.end - leaf!.start >= length + 3 else { throw malformed("a block too short for its header", at: leaf!.start) }
        guard let kept = tracks[number] else { throw malformed("a block for track \(number), which no track entry declares", at: leaf!.start) }
        guard hold != nil else { throw malformed("a block group with a second block", at: leaf!.start) }
        if leaf!.id == MatroskaScrubSchema.block { blockSeen = true }
        leaf!.kind = .copy
        try resolve(keep: kept)
    }

    /// Ends a hold: its output is released, or the whole held element becomes one Void and
    /// whatever of it has not arrived yet is skipped.
    mutating func resolve(keep: Bool) throws(RedactionError) {
        let h = hold!
        hold = nil
        if keep {
            ready += h.bytes
            return
        }
        let o = try voidOverwrite(start: h.start, end: h.end)
        overwrite = o
        let done = outPos
        outPos = h.start
        emit(repeatElement(UInt8(0), count: done - h.start))
        guard pos < h.end else { return }
        while let top = stack.last, top.start >= h.start { stack.removeLast() }
        leaf = Leaf(id: h.id, start: h.start, end: h.end, kind: .skip)
    }
}
