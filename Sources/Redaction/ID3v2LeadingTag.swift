import TiplinePolicy

/// Drops an ID3v2 tag at the very start of a file (MP3, and FLAC files that tools have tagged
/// the MP3 way) while it streams past, and says what kinds of frames it held. Nothing of the tag
/// is kept: the audio that follows is sniffed and scrubbed on its own.
///
/// The frame walk is only for the report: a tag whose frames cannot be walked (whole-tag
/// unsynchronisation, a size that runs past the tag) is still dropped whole, reported as
/// `other` plus the usual suspects, since its contents are unknown.
struct ID3v2LeadingTag {
    /// Bytes of the tag (header, frames, padding, footer) not yet seen.
    private(set) var remaining: Int
    private(set) var removed: Set<MetadataCategory> = []
    private let version: UInt8
    private var header: [UInt8] = []
    /// Offset inside the frame area of the next frame header; frames before it were classified.
    private var nextFrame = 0
    private var frameArea: Int
    private var position = 0
    private var pendingHeader: [UInt8] = []
    private var walkable: Bool

    /// `tagBytes` comes from `FormatSniffer.Result.leadingID3`; `prefix` is at least 10 bytes.
    init(tagBytes: Int, prefix: [UInt8]) {
        remaining = tagBytes
        version = prefix[3]
        let flags = prefix[5]
        let footer = version == 4 && flags & 0x10 != 0 ? 10 : 0
        frameArea = tagBytes - 10 - footer
        // Whole-tag unsynchronisation (v2.2/2.3) or compression (v2.2) hide frame boundaries.
        walkable = flags & 0x80 == 0 || version == 4
        if flags & 0x40 != 0 { walkable = false }  // extended header: rare, skipped unwalked
        if !walkable { removed = [.other, .authorship, .comment, .timestamps] }
    }

    var done: Bool { remaining == 0 }

    /// Takes the tag's bytes from the front of `piece`; returns how many it took.
    mutating func take(_ piece: UnsafeRawBufferPointer) -> Int {
        let n = min(remaining, piece.count)
        for i in 0..<n { see(piece[i]) }
        remaining -= n
        if remaining == 0 && removed.isEmpty { removed = [.other] }  // a tag of only padding is still a tag
        return n
    }

    /// Byte-at-a-time, but only frame headers are looked at; payload bytes are counted past.
    private mutating func see(_ byte: UInt8) {
        defer { position += 1 }
        guard walkable, position >= 10, position - 10 < frameArea else { return }
        let at = position - 10
        if at < nextFrame { return }
        pendingHeader.append(byte)
        let headerSize = version == 2 ? 6 : 10
        guard pendingHeader.count == headerSize else { return }
        let h = pendingHeader
        pendingHeader = []
        if h[0] == 0 {  // padding: the rest of the frame area is zeros
            nextFrame = frameArea
            return
        }
        let idWidth = version == 2 ? 3 : 4
        let id = String(decoding: h[0..<idWidth], as: UTF8.self)
        let size: Int
        switch version {
        case 2: size = Int(h[3]) << 16 | Int(h[4]) << 8 | Int(h[5])
        case 3: size = Int(h[4]) << 24 | Int(h[5]) << 16 | Int(h[6]) << 8 | Int(h[7])
        default: size = Int(h[4] & 0x7F) << 21 | Int(h[5] & 0x7F) << 14 | Int(h[6] & 0x7F) << 7 | Int(h[7] & 0x7F)
        }
        removed.insert(Self.category(of: id))
        nextFrame = at + 1 + size
        if nextFrame > frameArea { removed.formUnion([.other, .authorship, .comment, .timestamps]) }
    }

    /// The report's word for an ID3 frame (v2.2 three-letter and v2.3/2.4 four-letter ids).
    static func category(of id: String) -> MetadataCategory {
        switch id {
        case "APIC", "PIC": .thumbnail
        case "TDRC", "TDOR", "TDRL", "TDEN", "TDTG", "TYER", "TDAT", "TIME", "TORY", "TRDA", "TYE", "TDA", "TIM", "TOR", "TRD":
            .timestamps
        case "TPE1", "TPE2", "TPE3", "TPE4", "TCOM", "TEXT", "TOLY", "TOPE", "TOWN", "TCOP", "TPUB", "TIPL", "TMCL", "WOAR",
            "TP1", "TP2", "TP3", "TP4", "TCM", "TXT", "TOL", "TOA", "TCR", "TPB":
            .authorship
        case "COMM", "COM", "USLT", "ULT", "SYLT", "SLT": .comment
        case "TSSE", "TSS", "TENC", "TEN": .editing
        default: .other
        }
    }
}
