import TiplinePolicy

/// Scrubs WebP (RIFF) files: keeps the chunks that decode the picture (VP8, VP8L, VP8X, ALPH,
/// ANIM, ANMF and, per policy, ICCP), drops EXIF, XMP and every unknown chunk, clears the VP8X
/// flags of what was dropped and rewrites the RIFF size.
///
/// Buffered, not streamed: the RIFF size at byte 4 depends on every chunk dropped later in the
/// file, and the header must be written first, so output can only start once all chunk headers
/// are known. The whole file is held in memory, bounded by `ScrubOptions.maxFileBytes`
/// (`.tooLarge` the moment a piece would cross it) and claimed from `ScrubOptions.heldBytes`.
///
/// Orientation lives only in EXIF for WebP, so when the policy keeps orientation and the input
/// says 2...8, a fresh 26-byte EXIF chunk holding that single value is written instead of the
/// original block (the same approach as for JPEG).
public struct WebPScrubber: WholeFileScrubber {
    public static let format = MediaFormat.webp
    private let options: ScrubOptions
    private var input: HeldWholeFile

    public init(options: ScrubOptions) {
        self.options = options
        input = HeldWholeFile(budget: options.heldBytes)
    }

    public mutating func consume(_ piece: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        try input.append(piece, limit: options.maxFileBytes)
    }

    /// Holds the input and the rebuilt file at once (both claimed), never a third copy.
    public mutating func finishWhole() throws(RedactionError) -> (output: [UInt8], summary: ScrubSummary) {
        guard !input.bytes.isEmpty else { throw .empty }
        // The output is never longer than the input plus a fresh orientation chunk.
        try input.claim.grow(by: input.bytes.count + 34)
        var rewriter = WebPRewriter(bytes: input.take(), options: options)
        let clean = try rewriter.rewrite()
        return (clean, rewriter.summary)
    }
}

/// The RIFF walk and rebuild behind `WebPScrubber`.
struct WebPRewriter {
    let bytes: [UInt8]
    let options: ScrubOptions
    var summary = ScrubSummary()

    init(bytes: [UInt8], options: ScrubOptions) {
        self.bytes = bytes
        self.options = options
    }

    static func fourCC(_ s: String) -> UInt32 { s.utf8.reduce(0) { $0 << 8 | UInt32($1) } }
    static let vp8x = fourCC("VP8X"), vp8 = fourCC("VP8 "), vp8l = fourCC("VP8L"), alph = fourCC("ALPH")
    static let anim = fourCC("ANIM"), anmf = fourCC("ANMF"), iccp = fourCC("ICCP"), exif = fourCC("EXIF")
    static let xmp = fourCC("XMP ")

    func le32(_ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
    func be32(_ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    /// Splits `start..<end` into (fourCC, payload range) chunks, honouring odd-size padding.
    func chunks(from start: Int, to end: Int) throws(RedactionError) -> [(type: UInt32, payload: Range<Int>)] {
        var found: [(type: UInt32, payload: Range<Int>)] = []
        var pos = start
        while pos < end {
            guard end - pos >= 8 else { throw truncatedOrMalformed(at: pos, end: end, what: "chunk header") }
            let size = le32(pos + 4)
            let padded = size + (size & 1)
            guard padded <= end - pos - 8 else { throw truncatedOrMalformed(at: pos, end: end, what: "chunk") }
            found.append((be32(pos), (pos + 8)..<(pos + 8 + size)))
            pos += 8 + padded
            guard found.count <= 1 << 20 else {
                throw .malformed(.webp, offset: pos, reason: "more than a million chunks")
            }
        }
        return found
    }

    func truncatedOrMalformed(at pos: Int, end: Int, what: String) -> RedactionError {
        end >= bytes.count
            ? .truncated(.webp, offset: pos)
            : .malformed(.webp, offset: pos, reason: "\(what) runs past its container")
    }

    mutating func rewrite() throws(RedactionError) -> [UInt8] {
        guard bytes.count >= 12 else { throw .truncated(.webp, offset: bytes.count) }
        guard be32(0) == Self.fourCC("RIFF"), be32(8) == Self.fourCC("WEBP") else {
            throw .malformed(.webp, offset: 0, reason: "not a RIFF WEBP header")
        }
        let riffSize = le32(4)
        guard riffSize >= 4 else { throw .malformed(.webp, offset: 4, reason: "RIFF size too small") }
        guard riffSize <= bytes.count - 8 else { throw .truncated(.webp, offset: bytes.count) }
        let end = 8 + riffSize
        if end < bytes.count { summary.removed.insert(.trailer) }
        let all = try chunks(from: 12, to: end)
        guard let first = all.first, [Self.vp8, Self.vp8l, Self.vp8x].contains(first.type) else {
            throw .malformed(.webp, offset: 12, reason: "first chunk is not VP8, VP8L or VP8X")
        }
        let extended = first.type == Self.vp8x
        // The VP8X chunk is 10 bytes by the spec; extra bytes could only hide data.
        if extended && first.payload.count != 10 { throw .malformed(.webp, offset: 12, reason: "VP8X chunk is not 10 bytes") }
        // Written straight into the output after a 12-byte RIFF header whose size is set last.
        var body: [UInt8] = [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]
        body.reserveCapacity(bytes.count + 34)
        var orientation: UInt16?
        var keptICC = false, imageChunks = 0
        for (index, chunk) in all.enumerated() {
            let payload = bytes[chunk.payload]
            switch chunk.type {
            case Self.vp8x where index == 0:
                body.append(contentsOf: [0x56, 0x50, 0x38, 0x58])  // flags are fixed below
                Self.appendLE32(chunk.payload.count, to: &body)
                body.append(contentsOf: payload)
                if chunk.payload.count & 1 == 1 { body.append(0) }
            case Self.vp8x:
                throw .malformed(.webp, offset: chunk.payload.lowerBound - 8, reason: "second VP8X chunk")
            case Self.vp8, Self.vp8l, Self.alph, Self.anim:
                // A simple file is its first chunk alone; decoders ignore anything after it.
                guard extended || index == 0 else {
                    summary.removed.insert(.other)
                    continue
                }
                if chunk.type != Self.alph && chunk.type != Self.anim { imageChunks += 1 }
                if chunk.type == Self.anim { summary.kept.insert(.animation) }
                Self.appendChunk(chunk.type, payload, to: &body)
            case Self.anmf where extended:
                imageChunks += 1
                Self.appendChunk(Self.anmf, try cleanFrame(chunk.payload), to: &body)
            case Self.iccp where extended && options.keepICCProfile && !keptICC:
                if !ICCProfileClassifier.isStandard(payload) {
                    summary.removed.insert(.device)
                } else {
                    keptICC = true
                    summary.kept.insert(.colorProfile)
                    Self.appendChunk(Self.iccp, payload, to: &body)
                }
            case Self.iccp:
                break  // a colour profile the policy drops is not identifying metadata; not reported
            case Self.exif:
                let tiff = TIFFMetadataClassifier.tiffStart(payload)
                summary.removed.formUnion(TIFFMetadataClassifier.exifCategories(tiff))
                orientation = orientation ?? TIFFMetadataClassifier.exifOrientation(tiff)
            case Self.xmp:
                summary.removed.formUnion(TIFFMetadataClassifier.xmpCategories(payload))
            default:
                summary.removed.insert(.other)
            }
        }
        guard imageChunks > 0 else { throw .malformed(.webp, offset: 12, reason: "no image data chunk") }
        if extended, options.keepOrientation, let value = orientation, value != 1 {
            Self.appendChunk(Self.exif, Self.orientationTIFF(value)[...], to: &body)
            summary.kept.insert(.orientation)
        }
        if extended {
            // VP8X flags: keep alpha (0x10) and animation (0x02); ICC (0x20) and EXIF (0x08) only
            // for what is actually written; XMP (0x04) and reserved bits always cleared.
            var flags = bytes[first.payload.lowerBound] & 0x12
            if keptICC { flags |= 0x20 }
            if summary.kept.contains(.orientation) { flags |= 0x08 }
            body[20] = flags
        }
        let riff = body.count - 8
        body.replaceSubrange(4..<8, with: [UInt8(riff & 0xFF), UInt8(riff >> 8 & 0xFF), UInt8(riff >> 16 & 0xFF), UInt8(riff >> 24 & 0xFF)])
        return body
    }

    /// An ANMF payload with only its 16-byte frame header and ALPH/VP8/VP8L sub-chunks.
    mutating func cleanFrame(_ range: Range<Int>) throws(RedactionError) -> ArraySlice<UInt8> {
        guard range.count >= 16 else { throw .malformed(.webp, offset: range.lowerBound, reason: "ANMF frame header too short") }
        var frame = Array(bytes[range.lowerBound..<(range.lowerBound + 16)])
        for sub in try chunks(from: range.lowerBound + 16, to: range.upperBound) {
            if sub.type == Self.alph || sub.type == Self.vp8 || sub.type == Self.vp8l {
                Self.appendChunk(sub.type, bytes[sub.payload], to: &frame)
            } else {
                summary.removed.insert(.other)
            }
        }
        return frame[...]
    }

    /// A minimal little-endian TIFF holding only IFD0 Orientation = `value`.
    static func orientationTIFF(_ value: UInt16) -> [UInt8] {
        [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, UInt8(value), 0, 0, 0, 0, 0, 0, 0]
    }

    static func appendLE32(_ value: Int, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24 & 0xFF)])
    }

    static func appendChunk(_ type: UInt32, _ payload: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(type >> 24), UInt8(type >> 16 & 0xFF), UInt8(type >> 8 & 0xFF), UInt8(type & 0xFF)])
        appendLE32(payload.count, to: &out)
        out.append(contentsOf: payload)
        if payload.count & 1 == 1 { out.append(0) }
    }
}
