import TiplinePolicy

/// Streams an Ogg Opus or Ogg Vorbis file page by page. The header packets are reassembled
/// (they may span pages, and Vorbis's comment and setup headers usually share one): the
/// identification page is copied byte for byte, the comment header is replaced by one with
/// the constant vendor "Tipline" and no fields (so METADATA_BLOCK_PICTURE, ARTIST, … go), and
/// the Vorbis setup header is kept byte for byte; those are laid out on fresh pages. Audio
/// pages are then copied as they are, except that their sequence number (and so their CRC) is
/// renumbered when the new header takes a different number of pages. Every page's CRC is
/// checked on the way in. Refused: a second logical stream (multiplexed video, skeleton,
/// chained files), codecs other than Opus and Vorbis, audio sharing a page with the headers,
/// sequence gaps, and anything after the last page. Memory: one page, plus the header packets.
public struct OggScrubber: Scrubber {
    public static let format = MediaFormat.ogg

    let options: ScrubOptions
    var page: [UInt8] = []
    var pageNeed: Int?
    var consumed = 0
    var pageOffset = 0
    var serial: UInt32?
    var nextIn: UInt32 = 0
    var nextOut: UInt32 = 0
    var ended = false
    /// nil until the first packet names the codec.
    var opus: Bool?
    var headers: [[UInt8]] = []
    var packet: [UInt8] = []
    var packetOpen = false
    var headersDone = false
    var firstPage: [UInt8] = []
    var summary = ScrubSummary()

    public init(options: ScrubOptions) {
        self.options = options
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        var i = 0
        while i < input.count {
            let want = (pageNeed ?? 27 + (page.count >= 27 ? Int(page[26]) : 0)) - page.count
            let n = min(max(want, 1), input.count - i)
            page.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
            i += n
            consumed += n
            if pageNeed == nil { pageNeed = try OggPage.length(of: page[...], at: pageOffset) }
            if let need = pageNeed, page.count == need {
                let whole = OggPage(bytes: page)
                page = []
                pageNeed = nil
                try process(whole, into: &output)
                pageOffset += need
            }
        }
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        guard page.isEmpty, headersDone else { throw .truncated(.ogg, offset: consumed) }
        summary.kept.insert(.audio)
        return summary
    }

    private mutating func process(_ p: OggPage, into output: inout [UInt8]) throws(RedactionError) {
        var p = p
        try p.check(at: pageOffset)
        let first = serial == nil
        if ended || (!first && (p.serial != serial || p.headerType & 2 != 0)) {
            if p.headerType & 2 != 0 || p.serial != serial {
                throw .unsupportedLayout(.ogg, reason: "a second logical stream at byte \(pageOffset) (multiplexed or chained Ogg)")
            }
            throw .malformed(.ogg, offset: pageOffset, reason: "a page after the end-of-stream page")
        }
        if first {
            guard p.headerType & 2 != 0 else { throw .malformed(.ogg, offset: pageOffset, reason: "first page is not a beginning-of-stream page") }
            serial = p.serial
            nextIn = p.sequence
            nextOut = p.sequence
        }
        guard p.sequence == nextIn else { throw .malformed(.ogg, offset: pageOffset, reason: "page sequence gap at byte \(pageOffset)") }
        nextIn &+= 1
        if p.headerType & 4 != 0 { ended = true }
        guard (p.headerType & 1 != 0) == packetOpen else {
            throw .malformed(.ogg, offset: pageOffset, reason: "page continuation flag does not match the previous page")
        }
        if headersDone {
            if p.sequence != nextOut { p.renumber(nextOut) }
            nextOut &+= 1
            output += p.bytes
            packetOpen = p.segments.last.map { $0 == 255 } ?? packetOpen
            return
        }
        try collectHeaders(p, into: &output)
    }

    /// Adds a header page's packets; once all are in, writes the new header pages.
    private mutating func collectHeaders(_ p: OggPage, into output: inout [UInt8]) throws(RedactionError) {
        var at = p.bodyStart
        var segmentsLeft = p.segments.count
        for lace in p.segments {
            segmentsLeft -= 1
            let piece = p.bytes[at..<(at + Int(lace))]
            guard piece.count <= options.maxFileBytes - packet.count else { throw .tooLarge(limit: options.maxFileBytes) }
            packet += piece
            at += Int(lace)
            packetOpen = lace == 255
            guard lace < 255 else { continue }
            try header(packet)
            packet = []
            if headers.count == 1 { firstPage = p.bytes }
            if headers.count == 1 && (segmentsLeft > 0 || p.headerType & 2 == 0) {
                throw .malformed(.ogg, offset: pageOffset, reason: "the identification header does not have the first page to itself")
            }
            if headers.count == (opus! ? 2 : 3) {
                guard segmentsLeft == 0 else {
                    throw .unsupportedLayout(.ogg, reason: "audio shares a page with the header packets at byte \(pageOffset)")
                }
                headersDone = true
                writeHeaders(into: &output)
                return
            }
        }
        if ended { throw .malformed(.ogg, offset: pageOffset, reason: "the stream ends inside its header packets") }
        if headers.isEmpty { throw .malformed(.ogg, offset: pageOffset, reason: "the first page does not end the identification header") }
    }

    /// Checks one complete header packet and keeps it.
    private mutating func header(_ packet: [UInt8]) throws(RedactionError) {
        switch headers.count {
        case 0:
            if packet.starts(with: Array("OpusHead".utf8)) && packet.count >= 19 {
                opus = true
            } else if packet.starts(with: [1] + Array("vorbis".utf8)) && packet.count >= 30 {
                opus = false
            } else {
                throw .unsupportedLayout(.ogg, reason: "the first stream is not Opus or Vorbis audio")
            }
        case 1:
            summary.removed.formUnion(try OggComments.categories(of: packet, opus: opus!, offset: pageOffset))
        default:
            guard packet.starts(with: [5] + Array("vorbis".utf8)) else {
                throw .malformed(.ogg, offset: pageOffset, reason: "the third header packet is not a Vorbis setup header")
            }
        }
        headers.append(packet)
    }

    /// The identification page (a copy of the original's bytes), then the new comment header
    /// and, for Vorbis, the setup header, on fresh pages.
    private mutating func writeHeaders(into output: inout [UInt8]) {
        output += firstPage
        nextOut &+= 1
        var rest = [OggComments.replacement(opus: opus!)]
        if !opus! { rest.append(headers[2]) }
        var pages = OggPage.paginate(rest, serial: serial!, firstSequence: nextOut)
        if ended {
            pages[pages.count - 1][5] |= 4
            OggPage.seal(&pages[pages.count - 1])
        }
        nextOut &+= UInt32(pages.count)
        for page in pages { output += page }
        headers = []
    }
}
