import TiplinePolicy

/// Streams a FLAC file: `fLaC`, STREAMINFO and SEEKTABLE are kept, every other metadata block
/// (VORBIS_COMMENT, PICTURE, APPLICATION, CUESHEET, PADDING, reserved) is skipped without being
/// held, and the audio frames pass through byte for byte. Which kept block is last is only
/// known at the original's last block, so the kept blocks (small) are held until then and
/// written with the last-block flag moved. Frames are opaque, so the last 128 bytes are held
/// back: an ID3v1 tag (`TAG` + 125 bytes) appended to the audio is dropped at the end.
public struct FLACScrubber: Scrubber {
    public static let format = MediaFormat.flac
    static let maxSeekTable = 1 << 20
    static let maxBlocks = 4096
    static let id3v1 = 128

    enum State { case magic, blockHeader, held, dropped, firstFrame, frames }

    let options: ScrubOptions
    var state = State.magic
    var small: [UInt8] = []
    var offset = 0
    var type: UInt8 = 0
    var isLast = false
    var length = 0
    var blockStart = 0
    var remaining = 0
    var body: [UInt8] = []
    var kept: [(type: UInt8, body: [UInt8])] = []
    var blocks = 0
    var tail: [UInt8] = []
    var summary = ScrubSummary()

    public init(options: ScrubOptions) {
        self.options = options
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        var i = 0
        let n = input.count
        while i < n {
            switch state {
            case .frames:
                pass(UnsafeRawBufferPointer(rebasing: input[i..<n]), into: &output)
                offset += n - i
                return
            case .held, .dropped:
                let take = min(remaining, n - i)
                let piece = UnsafeRawBufferPointer(rebasing: input[i..<(i + take)])
                let room = state == .held ? take : max(0, FLACBlockNames.maxHead - body.count)
                body.append(contentsOf: piece.prefix(room))
                i += take
                offset += take
                remaining -= take
                if remaining == 0 { try endBlock(into: &output) }
            case .magic, .blockHeader, .firstFrame:
                let want = state == .firstFrame ? 2 : 4
                let take = min(want - small.count, n - i)
                small.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                offset += take
                guard small.count == want else { continue }
                let bytes = small
                small = []
                try complete(bytes, into: &output)
            }
        }
    }

    mutating func complete(_ b: [UInt8], into output: inout [UInt8]) throws(RedactionError) {
        switch state {
        case .magic:
            guard b.elementsEqual("fLaC".utf8) else { throw .malformed(.flac, offset: 0, reason: "not a FLAC stream marker") }
            state = .blockHeader
        case .blockHeader:
            try blockHeader(b, into: &output)
        default:
            guard b[0] == 0xFF, b[1] & 0xFE == 0xF8 else {
                throw .malformed(.flac, offset: offset - 2, reason: "audio does not start with a FLAC frame sync")
            }
            state = .frames
            b.withUnsafeBytes { pass($0, into: &output) }
        }
    }

    mutating func blockHeader(_ b: [UInt8], into output: inout [UInt8]) throws(RedactionError) {
        blockStart = offset - 4
        isLast = b[0] & 0x80 != 0
        type = b[0] & 0x7F
        length = Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        blocks += 1
        guard blocks <= Self.maxBlocks else { throw .unsupportedLayout(.flac, reason: "more than \(Self.maxBlocks) metadata blocks") }
        guard (blocks == 1) == (type == 0) else {
            throw .malformed(.flac, offset: blockStart, reason: blocks == 1 ? "first metadata block is not STREAMINFO" : "a second STREAMINFO")
        }
        switch type {
        case 0:
            guard length == 34 else { throw .malformed(.flac, offset: blockStart, reason: "STREAMINFO of \(length) bytes, not 34") }
            state = .held
        case 3 where length <= Self.maxSeekTable:
            guard length % 18 == 0 else { throw .malformed(.flac, offset: blockStart, reason: "SEEKTABLE length is not a multiple of 18") }
            guard !kept.contains(where: { $0.type == 3 }) else { throw .malformed(.flac, offset: blockStart, reason: "a second SEEKTABLE") }
            state = .held
        case 127:
            throw .malformed(.flac, offset: blockStart, reason: "invalid metadata block type 127")
        default:
            state = .dropped  // includes a SEEKTABLE too large to hold: seeking is not needed to decode
        }
        remaining = length
        body = []
        if length == 0 { try endBlock(into: &output) }
    }

    mutating func endBlock(into output: inout [UInt8]) throws(RedactionError) {
        if state == .held {
            if type == 0 && body[10] == 0 && body[11] == 0 && body[12] & 0xF0 == 0 {
                throw .malformed(.flac, offset: blockStart, reason: "STREAMINFO sample rate is 0")
            }
            if type == 0 {
                // STREAMINFO: a 20-bit sample rate at bit 80, a 36-bit total sample count at bit 108.
                let rate = UInt64(body[10]) << 12 | UInt64(body[11]) << 4 | UInt64(body[12]) >> 4
                let samples = body[14...17].reduce(UInt64(body[13] & 0x0F)) { $0 << 8 | UInt64($1) }
                if samples > 0 { summary.facts.setDuration(units: samples, perSecond: rate) }
            }
            if type == 3, !body.isEmpty, let table = Self.seekTable(body) {
                kept.append((type, table))
            } else if type == 3 {
                if !body.isEmpty { summary.removed.insert(.other) }
            } else {
                kept.append((type, body))
            }
        } else {
            summary.removed.formUnion(FLACBlockNames.categories(type, head: body, whole: body.count == length))
        }
        body = []
        guard isLast else {
            state = .blockHeader
            return
        }
        output += Array("fLaC".utf8)
        for (k, block) in kept.enumerated() {
            let n = block.body.count
            output += [block.type | (k == kept.count - 1 ? 0x80 : 0), UInt8(n >> 16), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + block.body
        }
        kept = []
        summary.kept.insert(.audio)
        state = .firstFrame
    }

    /// A SEEKTABLE is kept only if it reads as one (sample numbers ascending, offsets not
    /// decreasing, placeholders last); the undefined fields of placeholder points are zeroed.
    static func seekTable(_ body: [UInt8]) -> [UInt8]? {
        var out = body
        var previous: (sample: UInt64, offset: UInt64)?
        var placeholders = false
        for at in stride(from: 0, to: body.count, by: 18) {
            let sample = body[at..<(at + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let offset = body[(at + 8)..<(at + 16)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if sample == UInt64.max {
                placeholders = true
                for k in (at + 8)..<(at + 18) { out[k] = 0 }
                continue
            }
            if placeholders { return nil }
            if let p = previous, sample <= p.sample || offset < p.offset { return nil }
            previous = (sample, offset)
        }
        return out
    }

    /// Frame bytes go out as they come, less the last 128, which may turn out to be an ID3v1 tag.
    mutating func pass(_ piece: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let excess = tail.count + piece.count - Self.id3v1
        guard excess > 0 else {
            tail.append(contentsOf: piece)
            return
        }
        let fromTail = min(excess, tail.count)
        output.append(contentsOf: tail[0..<fromTail])
        tail.removeFirst(fromTail)
        output.append(contentsOf: piece.prefix(excess - fromTail))
        tail.append(contentsOf: piece.dropFirst(excess - fromTail))
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        switch state {
        case .frames:
            if tail.count == Self.id3v1 && tail.starts(with: "TAG".utf8) {
                summary.removed.formUnion([.trailer, .authorship, .comment, .timestamps])
            } else {
                output += tail
            }
            tail = []
            return summary
        case .firstFrame where small.isEmpty:
            throw .malformed(.flac, offset: offset, reason: "no audio frames after the metadata")
        default:
            throw .truncated(.flac, offset: offset)
        }
    }
}

/// What a dropped metadata block held, by category, read from its first bytes (never its values).
enum FLACBlockNames {
    static let maxHead = 64 * 1024
    static let usualSuspects: Set<MetadataCategory> = [.other, .authorship, .comment, .timestamps, .location]

    static func categories(_ type: UInt8, head: [UInt8], whole: Bool) -> Set<MetadataCategory> {
        switch type {
        case 1: return []  // PADDING
        case 4: return vorbisComment(head, whole: whole)
        case 6: return [.thumbnail]
        default: return [.other]  // APPLICATION, CUESHEET, reserved, an oversized SEEKTABLE
        }
    }

    /// VORBIS_COMMENT: little-endian vendor string, then `NAME=value` fields named by NAME.
    static func vorbisComment(_ head: [UInt8], whole: Bool) -> Set<MetadataCategory> {
        func le32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= head.count else { return nil }
            return (0..<4).reduce(0) { $0 | Int(head[at + $1]) << (8 * $1) }
        }
        guard let vendor = le32(0), let count = le32(4 + vendor) else { return usualSuspects }
        var found: Set<MetadataCategory> = vendor > 0 ? [.editing] : []
        var at = 8 + vendor
        for _ in 0..<count {
            guard let n = le32(at), at + 4 + n <= head.count else { return found.union(usualSuspects) }
            let name = String(decoding: head[(at + 4)..<(at + 4 + n)].prefix(while: { $0 != 0x3D }).prefix(64), as: UTF8.self)
            found.insert(category(name.uppercased()))
            at += 4 + n
        }
        return whole ? found : found.union(usualSuspects)
    }

    static func category(_ name: String) -> MetadataCategory {
        switch name {
        case "ARTIST", "ALBUMARTIST", "ALBUM_ARTIST", "COMPOSER", "PERFORMER", "COPYRIGHT", "LYRICIST", "CONDUCTOR", "ORGANIZATION",
            "CONTACT":
            .authorship
        case "DATE", "YEAR", "CREATION_TIME": .timestamps
        case "COMMENT", "DESCRIPTION", "LYRICS": .comment
        case "ENCODER", "ENCODED-BY", "ENCODED_BY", "ENCODEDBY", "ENCODING", "ENCODER_OPTIONS": .editing
        case "LOCATION": .location
        case "METADATA_BLOCK_PICTURE", "COVERART": .thumbnail
        default: .other
        }
    }
}
