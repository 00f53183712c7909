import TiplinePolicy

/// Re-reads the scrubber's JPEG output with its own walker and fails on anything outside the
/// output allowlist: JFIF without thumbnail, one small EXIF that libexif confirms holds only
/// permitted tags, the ICC profile only if the policy keeps it and its reassembled parts make
/// a standard colour-space profile (`ICCOutputCheck`), the 12-byte Adobe header,
/// image segments; nothing after EOI; and frame, tables and scans that decode
/// (`JPEGVerifierTables`). It shares no code with `JPEGScrubber` on purpose.
public struct JPEGVerifier: OutputVerifier {
    public static let format = MediaFormat.jpeg
    /// The fresh EXIF is tiny; even with GPS opted in it stays far below this.
    static let maxExifSegment = 2048

    private enum Phase { case soi, prefix, code, len, payload, scan, scanFF, done }
    private let options: ScrubOptions
    private var phase = Phase.soi
    private var at = 0
    private var code: UInt8 = 0
    private var lengthBytes: [UInt8] = []
    private var need = 0
    private var payload: [UInt8] = []
    private var exifSegments = 0
    /// ICC parts by sequence number, with the part count each declares.
    private var iccParts: [Int: ArraySlice<UInt8>] = [:]
    private var iccDeclared: Set<Int> = []
    private var iccBytes = 0
    /// Frame, table and scan headers, for the decodability check.
    private var tables = JPEGVerifierTables()

    public init(options: ScrubOptions) {
        self.options = options
    }

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.jpeg, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var k = 0
        while k < bytes.count {
            let b = bytes[k]
            switch phase {
            case .scan:
                // Skip entropy data to the next FF that is neither a stuffed zero nor a restart.
                var ff = k
                while true {
                    ff = ByteSearch.first(0xFF, in: bytes, from: ff)
                    guard ff + 1 < bytes.count, bytes[ff + 1] == 0 || (0xD0...0xD7).contains(bytes[ff + 1]) else { break }
                    ff += 2
                }
                tables.entropy(min(ff, bytes.count) - k)
                guard ff < bytes.count else {
                    k = bytes.count
                    continue
                }
                k = ff
                phase = .scanFF
            case .scanFF:
                if b == 0 || (0xD0...0xD7).contains(b) {
                    tables.entropy(2)
                    phase = .scan
                } else if b != 0xFF {
                    try tables.endScan()
                    try open(b)
                }
            case .payload:
                let n = min(need, bytes.count - k)
                payload.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[k..<(k + n)]))
                need -= n
                k += n
                if need == 0 { try close() }
                continue
            case .soi:
                guard (at == 0 && b == 0xFF) || (at == 1 && b == 0xD8) else { throw fail("does not start with SOI") }
                if at == 1 { phase = .prefix }
            case .prefix:
                guard b == 0xFF else { throw fail("stray byte between segments") }
                phase = .code
            case .code:
                try open(b)
            case .len:
                lengthBytes.append(b)
                if lengthBytes.count == 2 {
                    need = (Int(lengthBytes[0]) << 8 | Int(lengthBytes[1])) - 2
                    guard need >= 0 else { throw fail("segment length below 2") }
                    payload = []
                    phase = .payload
                    if need == 0 { try close() }
                }
            case .done:
                throw fail("bytes after end of image")
            }
            k += 1
            at += 1
        }
    }

    private mutating func open(_ c: UInt8) throws(RedactionError) {
        code = c
        switch c {
        case 0xD9: phase = .done
        case 0xD0...0xD7, 0x01: phase = .prefix
        case 0xFF: phase = .code
        case 0x00, 0xD8: throw fail("invalid marker sequence")
        default:
            lengthBytes = []
            phase = .len
        }
    }

    private func has(_ s: String) -> Bool { payload.starts(with: Array(s.utf8)) }

    private mutating func close() throws(RedactionError) {
        phase = code == 0xDA ? .scan : .prefix
        try tables.segment(code, payload)
        switch code {
        case 0xE0:
            guard has("JFIF\0"), payload.count == 14, payload[12] == 0, payload[13] == 0 else {
                throw fail("APP0 other than a thumbnail-free JFIF header")
            }
        case 0xE1:
            exifSegments += 1
            guard has("Exif\0\0"), exifSegments == 1, payload.count <= Self.maxExifSegment else {
                throw fail("APP1 other than one small EXIF block")
            }
            if let why = ExifAllowlist.violation(exif: payload, options: options) { throw fail(why) }
        case 0xE2:
            guard options.keepICCProfile, has("ICC_PROFILE\0"), payload.count > 14 else {
                throw fail("APP2 other than an allowed ICC profile")
            }
            iccBytes += payload.count
            guard iccBytes <= (4 << 20) + 64 * 1024 else { throw fail("ICC profile larger than any standard one") }
            guard iccParts.updateValue(payload[14...], forKey: Int(payload[12])) == nil else {
                throw fail("ICC profile part \(payload[12]) appears twice")
            }
            iccDeclared.insert(Int(payload[13]))
        case 0xEE:
            guard has("Adobe"), payload.count == 12 else { throw fail("APP14 other than the Adobe colour header") }
        case 0xE3...0xED, 0xEF, 0xFE:
            throw fail("application or comment segment 0x\(String(code, radix: 16, uppercase: true)) remains")
        default:
            break
        }
        payload = []
    }

    public mutating func finish() throws(RedactionError) {
        guard phase == .done else { throw fail("output does not end with EOI") }
        try tables.finish()
        guard !iccParts.isEmpty else { return }
        let parts = iccParts.count
        guard iccDeclared == [parts], iccParts.keys.sorted() == Array(1...parts) else {
            throw fail("ICC profile parts do not form one complete sequence")
        }
        var profile: [UInt8] = []
        for number in 1...parts { profile += iccParts[number]! }
        try ICCOutputCheck.check(profile[...], format: .jpeg)
    }
}
