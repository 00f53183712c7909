import TiplinePolicy

/// Re-reads Ogg output independently of `OggScrubber` (own page walk; only the checksum is
/// shared) and fails unless: every page is a version-0 Ogg page with a correct CRC, all pages
/// have one serial, the first page and only it begins the stream, sequence numbers count up
/// by one, nothing follows the end-of-stream page, the first packet is an Opus or Vorbis
/// identification header, and the second is exactly the constant comment header (vendor
/// "Tipline", no fields).
public struct OggVerifier: OutputVerifier {
    public static let format = MediaFormat.ogg
    static let opusComment: [UInt8] = Array("OpusTags".utf8) + [7, 0, 0, 0] + Array("Tipline".utf8) + [0, 0, 0, 0]
    static let vorbisComment: [UInt8] = [3] + Array("vorbis".utf8) + [7, 0, 0, 0] + Array("Tipline".utf8) + [0, 0, 0, 0, 1]

    private var head: [UInt8] = []
    private var laces: [UInt8] = []
    private var bodyLeft = 0
    private var laceIndex = 0
    private var laceLeft = 0
    private var crc = OggCRC()
    private var serial: UInt32?
    private var sequence: UInt32 = 0
    private var pages = 0
    private var endOfStream = false
    /// The first two packets, collected to be checked; nil once both were.
    private var packets: [[UInt8]]? = [[]]
    private var opus = false

    public init(options: ScrubOptions) {}

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.ogg, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var i = 0
        while i < bytes.count {
            if bodyLeft > 0 {
                // Body bytes, a lacing value's worth at a time.
                while laceLeft == 0 {
                    laceLeft = Int(laces[laceIndex])
                    if laceLeft == 0 { try endOfLace() }
                }
                let n = min(laceLeft, bytes.count - i)
                let piece = UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)])
                crc.update(piece)
                if packets != nil {
                    guard packets![packets!.count - 1].count + n <= 1 << 16 else { throw fail("header packet too large") }
                    packets![packets!.count - 1].append(contentsOf: piece)
                }
                i += n
                laceLeft -= n
                bodyLeft -= n
                if laceLeft == 0 { try endOfLace() }
                if bodyLeft == 0 { try endOfPage() }
                continue
            }
            if endOfStream && head.isEmpty { throw fail("bytes after the end-of-stream page") }
            if head.count < 27 {
                head.append(bytes[i])
            } else {
                laces.append(bytes[i])
            }
            i += 1
            if head.count == 27 && laces.isEmpty { try pageHeader() }
            if head.count == 27 && laces.count == Int(head[26]) && laces.count > 0 { try segmentTable() }
        }
    }

    public mutating func finish() throws(RedactionError) {
        guard head.isEmpty, bodyLeft == 0, pages > 0 else { throw fail("output ends inside a page") }
        guard packets == nil else { throw fail("output ends before the comment header") }
    }

    private mutating func pageHeader() throws(RedactionError) {
        guard head[0..<4].elementsEqual("OggS".utf8), head[4] == 0 else { throw fail("page \(pages) is not a version-0 Ogg page") }
        let s = (0..<4).reduce(UInt32(0)) { $0 | UInt32(head[14 + $1]) << (8 * $1) }
        let n = (0..<4).reduce(UInt32(0)) { $0 | UInt32(head[18 + $1]) << (8 * $1) }
        let bos = head[5] & 2 != 0
        guard bos == (pages == 0) else { throw fail("page \(pages) has the wrong beginning-of-stream flag") }
        if let serial {
            guard s == serial else { throw fail("page \(pages) belongs to a second logical stream") }
            guard n == sequence &+ 1 else { throw fail("page \(pages) breaks the sequence numbering") }
        }
        serial = s
        sequence = n
        endOfStream = head[5] & 4 != 0
        var zeroed = head
        for k in 22..<26 { zeroed[k] = 0 }
        crc = OggCRC()
        crc.update(zeroed)
        if head[26] == 0 { try segmentTable() }
    }

    private mutating func segmentTable() throws(RedactionError) {
        crc.update(laces)
        bodyLeft = laces.reduce(0) { $0 + Int($1) }
        laceIndex = 0
        laceLeft = 0
        if bodyLeft == 0 { try endOfPage() }
    }

    /// A lacing value is fully read; one below 255 ends a packet.
    private mutating func endOfLace() throws(RedactionError) {
        let lace = laces[laceIndex]
        laceIndex += 1
        guard lace < 255, packets != nil else { return }
        try checkPacket(packets!.count - 1)
        if packets != nil { packets!.append([]) }
    }

    private mutating func checkPacket(_ index: Int) throws(RedactionError) {
        let p = packets![index]
        if index == 0 {
            if p.starts(with: "OpusHead".utf8) {
                opus = true
            } else if !p.starts(with: [1] + Array("vorbis".utf8)) {
                throw fail("the first packet is not an Opus or Vorbis identification header")
            }
        } else {
            guard p == (opus ? Self.opusComment : Self.vorbisComment) else { throw fail("the comment header is not the constant one") }
            packets = nil
        }
    }

    private mutating func endOfPage() throws(RedactionError) {
        // Trailing zero-length laces end packets too.
        while laceIndex < laces.count {
            guard laces[laceIndex] == 0 else { throw fail("page body shorter than its segment table") }
            try endOfLace()
        }
        let stored = (0..<4).reduce(UInt32(0)) { $0 | UInt32(head[22 + $1]) << (8 * $1) }
        guard stored == crc.value else { throw fail("CRC mismatch in page \(pages)") }
        pages += 1
        head = []
        laces = []
    }
}
