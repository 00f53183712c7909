import TiplinePolicy

/// Re-reads a rebuilt movie (MP4, MOV, 3GP, M4A) as it streams past, independently of the movie
/// scrubber and of the HEIF box code, and fails unless it is exactly `ftyp`, `moov`, `mdat`
/// ("fast start") holding only allowlisted boxes, zeroed times, constant handler names, a
/// self-contained data reference, sample tables whose samples tile the `mdat` payload exactly,
/// and no SEI message outside the kept payload types in any H.264/HEVC sample. Holds `moov`
/// (bounded) and one entry per chunk; the `mdat` payload is walked as it passes, never held.
public struct MovieVerifier: OutputVerifier {
    public static let format = MediaFormat.mp4
    static let maxMoovBytes = 64 << 20
    static let maxFtypBytes = 1024
    static let maxSEIBytes = 1 << 20

    private enum Phase { case header, ftyp, moov, mdat, done }

    private let options: ScrubOptions
    private var phase = Phase.header
    private var position = 0
    private var boxStart = 0
    private var boxIndex = 0
    private var header: [UInt8] = []
    private var body: [UInt8] = []
    private var bodyLeft = 0
    private var quickTime = false
    private var layout: Layout?
    private var media: MediaWalk?

    public init(options: ScrubOptions) {
        self.options = options
    }

    static func fail(_ why: String) -> RedactionError { .verificationFailed(.mp4, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var i = 0
        while i < bytes.count {
            switch phase {
            case .done:
                throw Self.fail("bytes after mdat at offset \(position)")
            case .header:
                header.append(bytes[i])
                i += 1
                position += 1
                try headerByte()
            case .ftyp, .moov:
                let n = min(bodyLeft, bytes.count - i)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]))
                i += n
                position += n
                bodyLeft -= n
                if bodyLeft == 0 { try bodyDone() }
            case .mdat:
                let n = min(bodyLeft, bytes.count - i)
                try media!.feed(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]))
                i += n
                position += n
                bodyLeft -= n
                if bodyLeft == 0 { phase = .done }
            }
        }
    }

    /// Interprets `header` once it holds a whole top-level box header.
    private mutating func headerByte() throws(RedactionError) {
        guard header.count >= 8 else { return }
        let size32 = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        let type = header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var size = size32
        if size32 == 1 {
            guard header.count == 16 else { return }
            let large = header[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard large <= UInt64(Int.max / 2) else { throw Self.fail("top-level box at offset \(boxStart) is too large") }
            size = Int(large)
        }
        let headerLength = header.count
        header = []
        let name = Self.name(type)
        guard size32 != 0 else { throw Self.fail("top-level box \(name) at offset \(boxStart) has size 0") }
        guard size >= headerLength else { throw Self.fail("top-level box \(name) at offset \(boxStart) is shorter than its header") }
        let expected = ["ftyp", "moov", "mdat"][boxIndex]
        guard type == Self.code(expected) else {
            throw Self.fail("top-level box \(name) at offset \(boxStart) where \(expected) must be")
        }
        boxIndex += 1
        bodyLeft = size - headerLength
        switch expected {
        case "ftyp":
            guard (8...Self.maxFtypBytes).contains(bodyLeft) else { throw Self.fail("ftyp at offset \(boxStart) has a bad size") }
            phase = .ftyp
        case "moov":
            guard bodyLeft <= Self.maxMoovBytes else { throw Self.fail("moov at offset \(boxStart) is larger than 64 MiB") }
            phase = .moov
            if bodyLeft == 0 { try bodyDone() }
        default:
            media = try MediaWalk(layout: layout!, payloadStart: position, payloadEnd: position + bodyLeft)
            phase = bodyLeft == 0 ? .done : .mdat
        }
    }

    private mutating func bodyDone() throws(RedactionError) {
        if phase == .ftyp {
            try checkFtyp(body)
        } else {
            let parser = MoovParser(bytes: body, base: position - body.count, quickTime: quickTime)
            layout = try parser.parse()
        }
        body = []
        boxStart = position
        phase = .header
    }

    private mutating func checkFtyp(_ b: [UInt8]) throws(RedactionError) {
        guard b.count % 4 == 0 else { throw Self.fail("ftyp has a partial brand") }
        let brands = stride(from: 0, to: b.count, by: 4).map { i in b[i..<(i + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        let allowed: Set<UInt32>
        switch brands[0] {
        case Self.code("isom"): allowed = [Self.code("isom"), Self.code("iso2"), Self.code("mp41")]
        case Self.code("qt  "): allowed = [Self.code("qt  ")]
        default: throw Self.fail("ftyp major brand \(Self.name(brands[0])) is not isom or qt")
        }
        guard brands[1] == 0 else { throw Self.fail("ftyp minor version is not 0") }
        for brand in brands.dropFirst(2) where !allowed.contains(brand) {
            throw Self.fail("ftyp compatible brand \(Self.name(brand)) is not allowed")
        }
        quickTime = brands[0] == Self.code("qt  ")
    }

    public mutating func finish() throws(RedactionError) {
        switch phase {
        case .done: return
        case .mdat: throw Self.fail("output ends inside mdat at offset \(position)")
        default: throw Self.fail("output ends at offset \(position) before the end of mdat")
        }
    }

    static func code(_ s: String) -> UInt32 { s.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }

    /// A box type as printable text, or hex when it is not four printable ASCII characters.
    static func name(_ type: UInt32) -> String {
        let b = [UInt8(type >> 24), UInt8(type >> 16 & 0xFF), UInt8(type >> 8 & 0xFF), UInt8(type & 0xFF)]
        if b.allSatisfy({ (0x20...0x7E).contains($0) }) { return String(decoding: b, as: UTF8.self) }
        let hex = String(type, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
