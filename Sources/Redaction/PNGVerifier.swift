import TiplinePolicy

/// Re-reads PNG output chunk by chunk, independently of `PNGScrubber`, and fails unless every
/// chunk is on the output allowlist, every CRC is right, IHDR comes first, IEND comes last
/// and nothing follows it. An eXIf chunk must be one libexif reads as holding only allowed tags.
public struct PNGVerifier: OutputVerifier {
    public static let format = MediaFormat.png
    static let allowed: Set<String> = [
        "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "bKGD", "cICP", "mDCv", "cLLi",
        "acTL", "fcTL", "fdAT",
    ]
    static let maxExif = 2048

    private let options: ScrubOptions
    private var buffer: [UInt8] = []
    private var seenSignature = false
    private var chunkIndex = 0
    private var ended = false
    private var streaming: (type: String, left: Int, crc: CRC32)?
    private var exifBody: [UInt8]?

    public init(options: ScrubOptions) {
        self.options = options
    }

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.png, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var rest = bytes[...]
        while !rest.isEmpty {
            if ended { throw fail("bytes after IEND") }
            if var s = streaming, s.left > 0 {
                let n = min(s.left, rest.count)
                let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(n))
                s.crc.update(piece)
                if exifBody != nil {
                    exifBody!.append(contentsOf: piece)
                    if exifBody!.count > Self.maxExif { throw fail("eXIf larger than an orientation block") }
                }
                s.left -= n
                streaming = s
                rest = rest.dropFirst(n)
                continue
            }
            buffer.append(rest.first!)
            rest = rest.dropFirst()
            try advance()
        }
    }

    /// Interprets `buffer` once it holds a whole signature, chunk header or CRC.
    private mutating func advance() throws(RedactionError) {
        if !seenSignature {
            guard buffer.count == 8 else { return }
            guard buffer == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw fail("bad signature") }
            seenSignature = true
        } else if let s = streaming {
            guard buffer.count == 4 else { return }
            let stored = buffer.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard stored == s.crc.value else { throw fail("CRC mismatch in \(s.type)") }
            if let body = exifBody {
                if let why = ExifAllowlist.violation(exif: Array("Exif\0\0".utf8) + body, options: options) {
                    throw fail(why)
                }
                exifBody = nil
            }
            streaming = nil
            if s.type == "IEND" { ended = true }
        } else {
            guard buffer.count == 8 else { return }
            let length = buffer[0..<4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: buffer[4..<8], as: UTF8.self)
            guard Self.allowed.contains(type) || (type == "iCCP" && options.keepICCProfile) || type == "eXIf" else {
                throw fail("chunk \(type.filter { $0.isLetter }) is not allowed in output")
            }
            guard (chunkIndex == 0) == (type == "IHDR") else { throw fail("IHDR is not the first chunk") }
            chunkIndex += 1
            var crc = CRC32()
            crc.update(Array(buffer[4..<8]))
            exifBody = type == "eXIf" ? [] : nil
            streaming = (type, length, crc)
        }
        buffer = []
    }

    public mutating func finish() throws(RedactionError) {
        guard ended else { throw fail("output does not end with IEND") }
    }
}
