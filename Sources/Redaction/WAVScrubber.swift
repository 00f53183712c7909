import TiplinePolicy

/// Streams a WAV (RIFF, RF64 or BW64) chunk by chunk. Only `ds64`, `fmt ` and a 4-byte `fact`
/// before `data`, and `data` itself, survive; everything else (LIST/INFO, bext, iXML, XMP, ID3,
/// cue points, filler, unknown chunks) is dropped, and so is every chunk after `data`. That rule
/// is what lets the output's RIFF size be known the moment the `data` header arrives: the file
/// header and the small held chunks are written then, and the samples pass straight through.
/// Memory: a chunk header, the small kept chunks, and the first bytes of a dropped chunk (to
/// name what it held). Bytes past the declared RIFF end, after `data`, are an appended trailer.
public struct WAVScrubber: Scrubber {
    public static let format = MediaFormat.wav
    static let maxKept = 4096
    static let maxChunks = 1 << 16

    enum State { case header, chunkHeader, held, dropped, data, pad, trailer }

    let options: ScrubOptions
    var state = State.header
    var small: [UInt8] = []
    var offset = 0
    var magic: [UInt8] = []
    var sixtyFour = false
    var riffEnd = Int.max
    var id = ""
    var size = 0
    var chunkStart = 0
    var remaining = 0
    var body: [UInt8] = []
    var held: [(id: String, body: [UInt8])] = []
    var dataSeen = false
    var chunks = 0
    var summary = ScrubSummary()

    public init(options: ScrubOptions) {
        self.options = options
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        var i = 0
        let n = input.count
        while i < n {
            switch state {
            case .trailer:
                summary.removed.insert(.trailer)
                offset += n - i
                return
            case .pad:
                i += 1
                offset += 1
                boundary()
            case .data, .held, .dropped:
                let take = min(remaining, n - i)
                let piece = UnsafeRawBufferPointer(rebasing: input[i..<(i + take)])
                switch state {
                case .data: output.append(contentsOf: piece)
                case .held: body.append(contentsOf: piece)
                default: if body.count < WAVChunkNames.maxHead { body.append(contentsOf: piece.prefix(WAVChunkNames.maxHead - body.count)) }
                }
                i += take
                offset += take
                remaining -= take
                if remaining == 0 { try endChunk(into: &output) }
            case .header, .chunkHeader:
                let want = state == .header ? 12 : 8
                let take = min(want - small.count, n - i)
                small.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                offset += take
                guard small.count == want else { continue }
                let bytes = small
                small = []
                if state == .header { try fileHeader(bytes) } else { try chunkHeader(bytes, into: &output) }
            }
        }
    }

    mutating func fileHeader(_ b: [UInt8]) throws(RedactionError) {
        magic = Array(b[0..<4])
        guard [Array("RIFF".utf8), Array("RF64".utf8), Array("BW64".utf8)].contains(magic), b[8..<12].elementsEqual("WAVE".utf8) else {
            throw .malformed(.wav, offset: 0, reason: "not a RIFF WAVE header")
        }
        sixtyFour = magic != Array("RIFF".utf8)
        if !sixtyFour { riffEnd = 8 + Int(Self.le32(b, 4)) }
        state = .chunkHeader
    }

    mutating func chunkHeader(_ b: [UInt8], into output: inout [UInt8]) throws(RedactionError) {
        chunkStart = offset - 8
        guard b[0..<4].allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .malformed(.wav, offset: chunkStart, reason: "chunk id is not four ASCII characters")
        }
        chunks += 1
        guard chunks <= Self.maxChunks else { throw .unsupportedLayout(.wav, reason: "more than \(Self.maxChunks) chunks") }
        id = String(decoding: b[0..<4], as: UTF8.self)
        let size32 = Self.le32(b, 4)
        size = Int(size32)
        if sixtyFour && chunks == 1 && id != "ds64" {
            throw .malformed(.wav, offset: chunkStart, reason: "an RF64 file whose first chunk is not ds64")
        }
        if sixtyFour && size32 == 0xFFFF_FFFF && id != "data" {
            throw .unsupportedLayout(.wav, reason: "a 64-bit chunk other than data at byte \(chunkStart)")
        }
        if dataSeen {
            if id == "data" { throw .malformed(.wav, offset: chunkStart, reason: "a second data chunk") }
            return try start(.dropped, into: &output)
        }
        switch id {
        case "ds64":
            guard sixtyFour && chunks == 1 else { throw .malformed(.wav, offset: chunkStart, reason: "ds64 chunk outside the start of an RF64 file") }
            guard (28...Self.maxKept).contains(size) else { throw .malformed(.wav, offset: chunkStart, reason: "ds64 chunk of \(size) bytes") }
            try start(.held, into: &output)
        case "fmt ":
            guard !held.contains(where: { $0.id == id }) else { throw .malformed(.wav, offset: chunkStart, reason: "a second fmt chunk") }
            guard size >= 16 else { throw .malformed(.wav, offset: chunkStart, reason: "fmt chunk of \(size) bytes") }
            guard size <= Self.maxKept else { throw .unsupportedLayout(.wav, reason: "fmt chunk of \(size) bytes") }
            try start(.held, into: &output)
        case "fact" where size == 4:
            guard !held.contains(where: { $0.id == id }) else { throw .malformed(.wav, offset: chunkStart, reason: "a second fact chunk") }
            try start(.held, into: &output)
        case "data":
            try startData(size32, into: &output)
        default:
            try start(.dropped, into: &output)
        }
    }

    mutating func start(_ next: State, into output: inout [UInt8]) throws(RedactionError) {
        state = next
        remaining = size
        body = []
        if size == 0 { try endChunk(into: &output) }
    }

    /// The `data` header: everything the output holds before the samples is known now.
    mutating func startData(_ size32: UInt32, into output: inout [UInt8]) throws(RedactionError) {
        guard let fmt = held.first(where: { $0.id == "fmt " })?.body else {
            throw .malformed(.wav, offset: chunkStart, reason: "data chunk before fmt chunk")
        }
        guard Self.le16(fmt, 2) >= 1, Self.le32(fmt, 4) >= 1 else {
            throw .malformed(.wav, offset: chunkStart, reason: "fmt chunk with no channels or no sample rate")
        }
        if fmt.count >= 18 && Int(Self.le16(fmt, 16)) > fmt.count - 18 {
            throw .malformed(.wav, offset: chunkStart, reason: "fmt extension runs past its chunk")
        }
        let ds64 = held.first { $0.id == "ds64" }?.body
        var dataSize = size
        if size32 == 0xFFFF_FFFF {
            guard let ds64 else { throw .malformed(.wav, offset: chunkStart, reason: "data size 0xFFFFFFFF in a RIFF file") }
            guard Self.le64(ds64, 8) <= UInt64(Int32.max) * 1024 else { throw .malformed(.wav, offset: 20, reason: "ds64 data size is absurd") }
            dataSize = Int(Self.le64(ds64, 8))
        }
        var chunksOut: [UInt8] = []
        for name in ["fmt ", "fact"] {
            guard let b = held.first(where: { $0.id == name })?.body else { continue }
            chunksOut += Array(name.utf8) + Self.le(UInt64(b.count), 4) + b + (b.count & 1 == 1 ? [0] : [])
        }
        let total = 4 + (ds64 == nil ? 0 : 36) + chunksOut.count + 8 + dataSize + (dataSize & 1)
        output += magic
        if let ds64 {
            output += Self.le(0xFFFF_FFFF, 4) + Array("WAVEds64".utf8) + Self.le(28, 4)
            output += Self.le(UInt64(total), 8) + Self.le(UInt64(dataSize), 8) + Array(ds64[16..<24]) + Self.le(0, 4)
            riffEnd = Self.le64(ds64, 0) < UInt64(Int32.max) * 1024 ? 8 + Int(Self.le64(ds64, 0)) : Int.max
        } else {
            guard total <= 0xFFFF_FFFF else { throw .unsupportedLayout(.wav, reason: "audio too long for a RIFF size") }
            output += Self.le(UInt64(total), 4) + Array("WAVE".utf8)
        }
        output += chunksOut + Array("data".utf8) + Self.le(UInt64(size32), 4)
        dataSeen = true
        summary.kept.insert(.audio)
        summary.facts.setDuration(units: UInt64(dataSize), perSecond: UInt64(Self.le32(fmt, 8)))  // fmt's byte rate
        size = dataSize
        try start(.data, into: &output)
    }

    mutating func endChunk(into output: inout [UInt8]) throws(RedactionError) {
        switch state {
        case .held:
            held.append((id, body))
            if id == "ds64" && 28 + 12 * Int(Self.le32(body, 24)) > body.count {
                throw .malformed(.wav, offset: chunkStart, reason: "ds64 table runs past its chunk")
            }
        case .dropped:
            summary.removed.formUnion(WAVChunkNames.categories(id, head: body, whole: body.count == size))
        case .data:
            if size & 1 == 1 { output.append(0) }
        default:
            break
        }
        body = []
        if size & 1 == 1 { state = .pad } else { boundary() }
    }

    /// Between chunks: after `data`, reaching the declared RIFF end means the rest is a trailer.
    mutating func boundary() {
        state = dataSeen && offset >= riffEnd ? .trailer : .chunkHeader
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        let between = state == .pad || state == .trailer || (state == .chunkHeader && small.isEmpty)
        guard between else { throw .truncated(.wav, offset: offset) }
        guard dataSeen else { throw .malformed(.wav, offset: offset, reason: "no data chunk") }
        return summary
    }

    static func le16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    static func le32(_ b: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) } }
    static func le64(_ b: [UInt8], _ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * $1) } }
    static func le(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}

/// What a dropped chunk held, by category, read from its first bytes (never its values).
enum WAVChunkNames {
    static let maxHead = 64 * 1024
    static let usualSuspects: Set<MetadataCategory> = [.other, .authorship, .comment, .timestamps]

    static func categories(_ id: String, head: [UInt8], whole: Bool) -> Set<MetadataCategory> {
        switch id {
        case "LIST": return listCategories(head, whole: whole)
        case "bext":
            var found: Set<MetadataCategory> = [.authorship, .timestamps, .device]
            if head.prefix(256).contains(where: { $0 != 0 }) { found.insert(.comment) }
            if head.count > 602 && head[602...].contains(where: { $0 != 0 }) { found.insert(.editing) }
            return found
        case "iXML": return [.other, .device, .timestamps, .comment]
        case "_PMX", "XMP ", "axml": return XMPScan.categories(in: head[...]).union([.other])
        case "id3 ", "ID3 ": return id3Categories(head)
        case "cart": return [.authorship, .timestamps, .comment, .other]
        case "umid": return [.device, .other]
        case "JUNK", "junk", "PAD ", "pad ", "FLLR", "fact":
            return head.contains(where: { $0 != 0 }) && id != "fact" ? [.other] : []
        default: return [.other]
        }
    }

    /// LIST/INFO is named by its sub-chunk ids; other list types (adtl labels and notes) by kind.
    static func listCategories(_ head: [UInt8], whole: Bool) -> Set<MetadataCategory> {
        guard head.count >= 4 else { return [.other] }
        switch String(decoding: head[0..<4], as: UTF8.self) {
        case "INFO": break
        case "adtl": return [.comment, .other]
        default: return [.other]
        }
        var found: Set<MetadataCategory> = []
        var at = 4
        while at + 8 <= head.count {
            let sub = String(decoding: head[at..<(at + 4)], as: UTF8.self)
            let n = (0..<4).reduce(0) { $0 | Int(head[at + 4 + $1]) << (8 * $1) }
            switch sub {
            case "IART", "ICOP", "IENG", "ITCH", "ICMS": found.insert(.authorship)
            case "ICRD": found.insert(.timestamps)
            case "ICMT", "ISBJ": found.insert(.comment)
            case "ISFT": found.insert(.editing)
            default: found.insert(.other)
            }
            at += 8 + n + (n & 1)
        }
        if at != head.count || !whole { found.formUnion(usualSuspects) }
        return found
    }

    /// An ID3v2 tag in a chunk is walked the way a leading MP3 tag is, for the report only.
    static func id3Categories(_ head: [UInt8]) -> Set<MetadataCategory> {
        guard head.count >= 10, head[0..<3].elementsEqual("ID3".utf8) else { return usualSuspects }
        let size = head[6..<10].reduce(0) { $0 << 7 | Int($1 & 0x7F) }
        var tag = ID3v2LeadingTag(tagBytes: 10 + size, prefix: head)
        let took = head.withUnsafeBytes { tag.take($0) }
        return took < 10 + size ? tag.removed.union(usualSuspects) : tag.removed
    }
}
