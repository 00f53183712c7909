import TiplinePolicy

/// Re-reads PNG output chunk by chunk, independently of `PNGScrubber`, and fails unless every
/// chunk is on the output allowlist, every CRC is right, IHDR comes first, IEND comes last
/// and nothing follows it, and the default image's IDAT stream inflates to exactly the rows
/// IHDR promises (`PNGVerifierPixels`). An eXIf chunk must be one libexif reads as holding only allowed tags;
/// an iCCP chunk must inflate to a standard colour-space profile (`ICCOutputCheck`).
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
    private var iccBody: [UInt8]?
    private var headerBody: [UInt8]?
    /// The default image's decodability check, made from IHDR (`PNGVerifierPixels`).
    private var pixels: PNGVerifierPixels?
    static let maxICCChunk = 4 << 20

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
                if s.type == "IDAT" {
                    guard let pixels else { throw fail("IDAT before a valid IHDR") }
                    try pixels.consume(piece)
                }
                if headerBody != nil {
                    headerBody!.append(contentsOf: piece)
                    if headerBody!.count > 13 { throw fail("IHDR is not 13 bytes") }
                }
                if exifBody != nil {
                    exifBody!.append(contentsOf: piece)
                    if exifBody!.count > Self.maxExif { throw fail("eXIf larger than an orientation block") }
                }
                if iccBody != nil {
                    iccBody!.append(contentsOf: piece)
                    if iccBody!.count > Self.maxICCChunk { throw fail("iCCP larger than any standard profile") }
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
            if let body = iccBody {
                try checkICC(body)
                iccBody = nil
            }
            if let body = headerBody {
                guard let check = PNGVerifierPixels(ihdr: body) else { throw .undecodable(.png, reason: "the picture header is not valid") }
                pixels = check
                headerBody = nil
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
            iccBody = type == "iCCP" ? [] : nil
            headerBody = type == "IHDR" ? [] : nil
            if type == "IEND" { try pixels?.finish() }
            streaming = (type, length, crc)
        }
        buffer = []
    }

    /// iCCP: a Latin-1 keyword, NUL, compression method 0, then the zlib-compressed profile,
    /// which must inflate to a standard colour-space profile.
    private func checkICC(_ body: [UInt8]) throws(RedactionError) {
        var split = 0
        while split < body.count && split < 80 && body[split] != 0 { split += 1 }
        guard split >= 1, split < 80, body.count > split + 2, body[split] == 0, body[split + 1] == 0 else {
            throw fail("iCCP chunk is not keyword, method 0 and a profile")
        }
        guard let profile = PNGVerifierInflate.uncompressed(Array(body[(split + 2)...]), limit: Self.maxICCChunk) else {
            throw fail("iCCP profile does not inflate within the limit")
        }
        try ICCOutputCheck.check(profile[...], format: .png)
    }

    public mutating func finish() throws(RedactionError) {
        guard ended else { throw fail("output does not end with IEND") }
    }
}
