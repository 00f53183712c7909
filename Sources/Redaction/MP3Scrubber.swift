import TiplinePolicy

/// Streams an MP3 (the session has already dropped a leading ID3v2 tag) and outputs only its
/// MPEG audio frames, byte for byte. Everything that is not a frame is never emitted: ID3v2
/// tags anywhere (skipped by their declared size), ID3v1 and "TAG+" (ID3v1 extended), APEv2
/// (skipped by its header's size; a footer-only tag's items fall to the garbage rule),
/// Lyrics3 v1/v2 (dropped up to "LYRICSEND"/"LYRICS200").
///
/// Garbage rule: bytes that are neither a frame nor a recognised tag are dropped (reported as
/// `other`). Dropping unknown bytes cannot leak anything, and FFmpeg resyncs past them the same
/// way. After anything that is not a frame, a frame only counts once three headers chain (or
/// the chain ends exactly at a tag or at the end of the file), so a stray sync word inside tag
/// data is never mistaken for audio. A stream that then changes version, layer or sample rate
/// is refused. As in FFmpeg, the first two frames must each chain on their own, except that a
/// first frame carrying a Xing/Info/VBRI header counts by itself (encoders may put junk after
/// it). A frame cut short by the end of the file is refused as truncated: its missing bytes
/// were usually overwritten by a tag, so no output could decode like the input.
///
/// Kept, as part of the audio frames: LAME writes "LAME3.100" into the unused ancillary bits of
/// some frames; removing it would mean rewriting frame payloads, so only the Xing frame's
/// encoder version is zeroed (`MP3VBRTag`). Memory: a few frames of lookahead, never the file.
public struct MP3Scrubber: Scrubber {
    public static let format = MediaFormat.mp3
    static let chainToConfirm = 3
    static let magics: [[UInt8]] = ["ID3", "TAG", "APETAGEX", "LYRICSBEGIN"].map { Array($0.utf8) }
    static let lyricsEnds: [[UInt8]] = [Array("LYRICSEND".utf8), Array("LYRICS200".utf8)]

    enum Action {
        case needMore, garbage, frame(MPEGAudioFrameHeader), id3(Int), skip(Int, Set<MetadataCategory>), lyrics
    }

    let options: ScrubOptions
    var pending: [UInt8] = []
    /// Offset, in the bytes this scrubber was given, of `pending[0]`.
    var pendingOffset = 0
    /// Nothing but tags so far: the next frame starts the stream, as it would after the
    /// session dropped a leading tag (decided by content, so piece sizes cannot change it).
    var atStreamStart = true
    var consumed = 0
    var copyLeft = 0
    var skipLeft = 0
    var tag: ID3v2LeadingTag?
    var inLyrics = false
    /// Version, layer and sample rate of the first frame: every frame must match it.
    var stream: MPEGAudioFrameHeader?
    /// The last decision was a frame, so the next header is trusted without lookahead.
    var chained = false
    var frames = 0
    var summary = ScrubSummary()

    public init(options: ScrubOptions) {
        self.options = options
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        consumed += input.count
        var i = 0
        while i < input.count {
            let rest = UnsafeRawBufferPointer(rebasing: input[i...])
            if copyLeft > 0 {
                let n = min(copyLeft, rest.count)
                output.append(contentsOf: rest.prefix(n))
                copyLeft -= n
                i += n
            } else if skipLeft > 0 {
                let n = min(skipLeft, rest.count)
                skipLeft -= n
                i += n
            } else if tag != nil {
                i += tag!.take(rest)
                if tag!.done { tagDone() }
            } else {
                pending.append(contentsOf: rest)
                i = input.count
                try decide(final: false, into: &output)
            }
        }
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        if copyLeft == 0 && skipLeft == 0 && tag == nil { try decide(final: true, into: &output) }
        guard copyLeft == 0, skipLeft == 0, tag == nil, !inLyrics else { throw .truncated(.mp3, offset: consumed) }
        guard frames > 0 else { throw .malformed(.mp3, offset: 0, reason: "no MPEG audio frames") }
        summary.kept.insert(.audio)
        return summary
    }

    private mutating func tagDone() {
        summary.removed.formUnion(tag!.removed)
        tag = nil
    }

    /// Decides what the bytes at the front of `pending` are, as far as they allow.
    private mutating func decide(final: Bool, into output: inout [UInt8]) throws(RedactionError) {
        var c = 0
        defer {
            pending.removeFirst(c)
            pendingOffset += c
        }
        while c < pending.count {
            if inLyrics {
                guard let end = find(Self.lyricsEnds, from: c) else {
                    c = max(c, pending.count - 8)
                    return
                }
                c = end + 9
                inLyrics = false
                continue
            }
            let action = try classify(at: c, final: final)
            // Waiting for bytes decides nothing: the chain must survive it, or where the network
            // cut the upload would change which headers are trusted.
            if case .needMore = action { return }
            chained = false
            switch action {
            case .needMore: return
            case .garbage:
                summary.removed.insert(.other)
                atStreamStart = false
                c += 1
            case .frame(let h):
                chained = true
                atStreamStart = false
                if stream == nil { stream = h }
                let have = pending.count - c
                if frames == 0 {
                    var first = Array(pending[c..<(c + h.length)])
                    if MP3VBRTag.neutralise(&first, header: h) { summary.removed.insert(.editing) }
                    output += first
                    // As FFmpeg does, the frame after the first (often a Xing frame, which the
                    // encoder may follow with junk) must chain on its own.
                    chained = false
                } else {
                    output += pending[c..<(c + min(have, h.length))]
                    copyLeft = max(0, h.length - have)
                }
                frames += 1
                c += min(have, h.length)
            case .id3(let size):
                var t = ID3v2LeadingTag(tagBytes: size, prefix: Array(pending[c..<(c + 10)]))
                c += pending[c...].withUnsafeBytes { t.take($0) }
                tag = t
                if t.done { tagDone() }
            case .skip(let size, let categories):
                summary.removed.formUnion(categories)
                let n = min(size, pending.count - c)
                skipLeft = size - n
                c += n
            case .lyrics:
                summary.removed.insert(.other)
                inLyrics = true
                c += 11
            }
        }
    }

    private func classify(at c: Int, final: Bool) throws(RedactionError) -> Action {
        let have = pending.count - c
        if pending[c] == 0xFF {
            guard have >= 4 else { return final ? .garbage : .needMore }
            guard let h = MPEGAudioFrameHeader(pending[c], pending[c + 1], pending[c + 2], pending[c + 3]) else {
                return .garbage
            }
            if chained, let s = stream, h.sameStream(as: s) { return .frame(h) }
            switch confirm(h, at: c, final: final) {
            case nil: return .needMore
            case false?
            where stream == nil && atStreamStart && have >= h.length
                && MP3VBRTag.isTagFrame(pending[c..<(c + h.length)], header: h):
                return .frame(h)  // a Xing/Info/VBRI frame describes itself; junk may follow it
            case false?:
                if final && stream == nil && atStreamStart && pending.count - c < h.length {
                    throw .truncated(.mp3, offset: consumed)
                }
                return .garbage
            case true?:
                if let s = stream, !h.sameStream(as: s) {
                    throw .unsupportedLayout(.mp3, reason: "the stream changes version, layer or sample rate at byte \(pendingOffset + c)")
                }
                return .frame(h)
            }
        }
        switch magic(at: c, final: final) {
        case nil: return .needMore
        case false?: return .garbage
        case true?: break
        }
        switch pending[c] {
        case 0x49:  // "ID3"
            guard have >= 10 else { return final ? .garbage : .needMore }
            let p = pending[c..<(c + 10)].map { $0 }
            guard (2...4).contains(p[3]), p[4] != 0xFF, p[6...9].allSatisfy({ $0 < 0x80 }) else { return .garbage }
            let size = Int(p[6]) << 21 | Int(p[7]) << 14 | Int(p[8]) << 7 | Int(p[9])
            return .id3(10 + size + (p[3] == 4 && p[5] & 0x10 != 0 ? 10 : 0))
        case 0x54:  // "TAG" or "TAG+"
            guard have >= 4 else { return final ? .skip(have, Self.id3v1) : .needMore }
            return .skip(pending[c + 3] == 0x2B ? 227 : 128, Self.id3v1)
        case 0x41:  // "APETAGEX"
            guard have >= 32 else { return final ? .garbage : .needMore }
            let size = (12..<16).reduce(0) { $0 | Int(pending[c + $1]) << (8 * ($1 - 12)) }
            let isHeader = pending[c + 23] & 0x20 != 0
            return .skip(isHeader ? 32 + size : 32, [.authorship, .other])
        default:
            return .lyrics
        }
    }

    static let id3v1: Set<MetadataCategory> = [.authorship, .comment, .timestamps, .other]

    /// Does a recognised tag start at `c`? nil when more bytes are needed to tell.
    private func magic(at c: Int, final: Bool) -> Bool? {
        let have = pending.count - c
        for m in Self.magics where pending[c] == m[0] {
            let n = min(have, m.count)
            guard pending[c..<(c + n)].elementsEqual(m[0..<n]) else { continue }
            if n == m.count { return true }
            return final ? false : nil
        }
        return false
    }

    /// Do three headers of one stream chain from `c` (or end the chain at a tag or exactly at
    /// the end of the file)? nil when more bytes are needed to tell.
    private func confirm(_ first: MPEGAudioFrameHeader, at c: Int, final: Bool) -> Bool? {
        var pos = c + first.length
        for _ in 1..<Self.chainToConfirm {
            let have = pending.count - pos
            if have < 0 { return final ? false : nil }
            if have == 0 { return final ? true : nil }
            if pending[pos] != 0xFF { return magic(at: pos, final: final) }
            if have < 4 { return final ? false : nil }
            guard let h = MPEGAudioFrameHeader(pending[pos], pending[pos + 1], pending[pos + 2], pending[pos + 3]),
                h.sameStream(as: first)
            else { return false }
            pos += h.length
        }
        return true
    }

    private func find(_ needles: [[UInt8]], from c: Int) -> Int? {
        var i = c
        while i + 9 <= pending.count {
            for n in needles where pending[i..<(i + 9)].elementsEqual(n) { return i }
            i += 1
        }
        return nil
    }
}
