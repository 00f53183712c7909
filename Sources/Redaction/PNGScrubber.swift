import TiplinePolicy

/// Streams a PNG chunk by chunk: kept chunks are copied as they arrive, dropped ones are
/// skipped, and every chunk's CRC is checked on the way through (a bad CRC means the file is
/// damaged or crafted, so it is refused). Memory: a chunk header, plus the first bytes of a
/// dropped text chunk (to name it), a capped eXIf (to keep the picture upright) or a capped
/// iCCP (to judge the colour profile whole before it is written).
public struct PNGScrubber: Scrubber {
    public static let format = MediaFormat.png
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let maxTextHead = 64 * 1024
    static let maxExifBytes = 1 << 20

    enum State { case signature, header, data, crc, trailer }

    let options: ScrubOptions
    var state = State.signature
    var offset = 0
    var small: [UInt8] = []
    var type = ""
    var chunkOffset = 0
    var remaining = 0
    var decision = PNGChunkPolicy.Decision.keep
    var crc = CRC32()
    var head: [UInt8] = []
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
            case .data:
                let take = min(remaining, n - i)
                let piece = UnsafeRawBufferPointer(rebasing: input[i..<(i + take)])
                crc.update(piece)
                switch decision {
                case .keep: output.append(contentsOf: piece)
                case .iccp:
                    let room = ICCProfileClassifier.maxProfileBytes + 1 - head.count
                    if room > 0 { head.append(contentsOf: piece.prefix(room)) }
                case .exif: if head.count < Self.maxExifBytes { head.append(contentsOf: piece.prefix(Self.maxExifBytes - head.count)) }
                default: if head.count < Self.maxTextHead { head.append(contentsOf: piece.prefix(Self.maxTextHead - head.count)) }
                }
                remaining -= take
                i += take
                offset += take
                if remaining == 0 { state = .crc }
            default:
                let want = state == .signature ? 8 : (state == .header ? 8 : 4)
                let take = min(want - small.count, n - i)
                small.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                offset += take
                if small.count == want {
                    let bytes = small
                    small = []
                    try complete(bytes, into: &output)
                }
            }
        }
    }

    /// A fixed-size piece (signature, chunk header or CRC) is complete.
    mutating func complete(_ bytes: [UInt8], into output: inout [UInt8]) throws(RedactionError) {
        switch state {
        case .signature:
            guard bytes == Self.signature else { throw .malformed(.png, offset: 0, reason: "bad PNG signature") }
            output += bytes
            state = .header
        case .header:
            chunkOffset = offset - 8
            let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            guard length <= 0x7FFF_FFFF else {
                throw .malformed(.png, offset: chunkOffset, reason: "chunk length \(length) exceeds 2^31-1")
            }
            let typeBytes = Array(bytes[4..<8])
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw .malformed(.png, offset: chunkOffset + 4, reason: "chunk type is not four letters")
            }
            type = String(decoding: typeBytes, as: UTF8.self)
            guard (chunks == 0) == (type == "IHDR") else {
                throw .malformed(.png, offset: chunkOffset, reason: chunks == 0 ? "first chunk is not IHDR" : "a second IHDR")
            }
            chunks += 1
            decision = PNGChunkPolicy.decide(type, options: options)
            if decision == .refuse {
                throw .unsupportedLayout(.png, reason: "unknown critical chunk at byte \(chunkOffset)")
            }
            if decision == .keep {
                output += bytes
                if type == "acTL" { summary.kept.insert(.animation) }
            }
            crc = CRC32()
            crc.update(typeBytes)
            head = []
            remaining = length
            state = length == 0 ? .crc : .data
        case .crc:
            let stored = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            guard stored == crc.value else {
                throw .malformed(.png, offset: offset - 4, reason: "CRC mismatch in chunk starting at byte \(chunkOffset)")
            }
            switch decision {
            case .keep: output += bytes
            case .exif: writeExif(into: &output)
            case .iccp: endICCP(bytes, into: &output)
            case .drop(let categories):
                summary.removed.formUnion(categories.isEmpty ? PNGChunkPolicy.textCategories(head) : categories)
            case .refuse: break
            }
            head = []
            state = type == "IEND" ? .trailer : .header
        case .data, .trailer:
            preconditionFailure("handled in consume")
        }
    }

    /// Writes the held iCCP chunk back unchanged if its profile is standard; else reports
    /// `device`. A chunk longer than any profile kept is dropped without being held whole.
    mutating func endICCP(_ crcBytes: [UInt8], into output: inout [UInt8]) {
        guard head.count <= ICCProfileClassifier.maxProfileBytes, PNGChunkPolicy.iccpIsStandard(head) else {
            summary.removed.insert(.device)
            return
        }
        summary.kept.insert(.colorProfile)
        let n = head.count
        output += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        output += Array("iCCP".utf8) + head + crcBytes
    }

    /// Replaces the original eXIf, in place, with a fresh one holding only what may stay.
    mutating func writeExif(into output: inout [UInt8]) {
        guard let block = MinimalExifWriter.replacement(for: head, options: options, summary: &summary) else { return }
        let typeAndData = Array("eXIf".utf8) + block
        let n = block.count
        output += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + typeAndData
        let c = CRC32.of(typeAndData)
        output += [UInt8(c >> 24), UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        guard state == .trailer else { throw .truncated(.png, offset: offset) }
        return summary
    }
}
