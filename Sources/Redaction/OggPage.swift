import TiplinePolicy

/// The scrubber's reading and writing of one Ogg page: "OggS", version 0, header type
/// (1 continued, 2 first, 4 last), granule position, serial, sequence number, CRC, segment
/// table, body. Read whole (a page is at most 65,307 bytes) so its CRC can be checked.
struct OggPage {
    static let capture: [UInt8] = Array("OggS".utf8)
    static let maxBytes = 27 + 255 + 255 * 255

    var bytes: [UInt8]
    var headerType: UInt8 { bytes[5] }
    var serial: UInt32 { le32(14) }
    var sequence: UInt32 { le32(18) }
    var segments: ArraySlice<UInt8> { bytes[27..<(27 + Int(bytes[26]))] }
    var bodyStart: Int { 27 + Int(bytes[26]) }

    private func le32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }

    /// How many bytes the page at the front of `b` needs in all, once its header is there;
    /// nil while fewer than 27 bytes (or the segment table) have arrived. Throws on a page
    /// that is not a version-0 Ogg page.
    static func length(of b: ArraySlice<UInt8>, at offset: Int) throws(RedactionError) -> Int? {
        let s = b.startIndex
        guard b.count >= 27 else { return nil }
        guard b[s..<(s + 4)].elementsEqual(capture) else {
            throw .malformed(.ogg, offset: offset, reason: "no Ogg page starts here")
        }
        guard b[s + 4] == 0 else { throw .malformed(.ogg, offset: offset, reason: "page version is not 0") }
        guard b[s + 5] & 0xF8 == 0 else { throw .malformed(.ogg, offset: offset, reason: "unknown page header flags") }
        let n = Int(b[s + 26])
        guard b.count >= 27 + n else { return nil }
        return 27 + n + b[(s + 27)..<(s + 27 + n)].reduce(0) { $0 + Int($1) }
    }

    /// Checks the page's CRC.
    func check(at offset: Int) throws(RedactionError) {
        let stored = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[22 + $1]) << (8 * $1) }
        guard stored == OggCRC.ofPage(bytes) else { throw .malformed(.ogg, offset: offset, reason: "page CRC mismatch") }
    }

    /// Sets the sequence number and recomputes the CRC.
    mutating func renumber(_ sequence: UInt32) {
        for i in 0..<4 { bytes[18 + i] = UInt8(truncatingIfNeeded: sequence >> (8 * i)) }
        Self.seal(&bytes)
    }

    static func seal(_ page: inout [UInt8]) {
        let c = OggCRC.ofPage(page)
        for i in 0..<4 { page[22 + i] = UInt8(truncatingIfNeeded: c >> (8 * i)) }
    }

    /// Lays `packets` out on fresh pages (each packet laced as 255-byte segments and a shorter
    /// last one, at most 255 segments a page). Granule 0 where a packet ends, -1 elsewhere.
    static func paginate(_ packets: [[UInt8]], serial: UInt32, firstSequence: UInt32) -> [[UInt8]] {
        var laced: [(lace: UInt8, packetEnds: Bool)] = []
        var body: [UInt8] = []
        for p in packets {
            for _ in 0..<(p.count / 255) { laced.append((255, false)) }
            laced.append((UInt8(p.count % 255), true))
            body += p
        }
        var pages: [[UInt8]] = []
        var seg = 0, at = 0
        var continued = false
        while seg < laced.count {
            let slice = laced[seg..<min(seg + 255, laced.count)]
            let size = slice.reduce(0) { $0 + Int($1.lace) }
            let ends = slice.contains { $0.packetEnds }
            let granule: UInt64 = ends ? 0 : UInt64.max
            var page = capture + [0, continued ? 1 : 0]
            for i in 0..<8 { page.append(UInt8(truncatingIfNeeded: granule >> (8 * i))) }
            let sequence = firstSequence + UInt32(pages.count)
            for v in [serial, sequence, 0] { for i in 0..<4 { page.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
            page.append(UInt8(slice.count))
            page += slice.map(\.lace)
            page += body[at..<(at + size)]
            seal(&page)
            pages.append(page)
            continued = !(slice.last!.packetEnds)
            seg += slice.count
            at += size
        }
        return pages
    }
}
