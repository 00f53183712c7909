import TiplinePolicy

/// Streams a JPEG through once, keeping what decodes the picture (SOI, frame, tables, scans
/// and their entropy-coded data, EOI), JFIF without its thumbnail, the Adobe colour-transform
/// header and, if the policy says so, the ICC profile. Every other APPn, COM and anything
/// after EOI is dropped. Memory is one marker segment (≤ 64 KiB) plus the original EXIF and
/// the ICC profile's parts, each capped, kept only until the header ends so a fresh
/// Orientation-only EXIF can be written and the profile judged whole (`JPEGICCAssembler`).
public struct JPEGScrubber: Scrubber {
    public static let format = MediaFormat.jpeg
    /// EXIF read for orientation and opt-ins is capped; multi-segment blocks beyond it are still dropped.
    static let maxExifBytes = 1 << 20

    enum State {
        case start  // expecting FF D8
        case marker  // expecting FF
        case markerCode  // after FF: fill bytes or a marker code
        case length  // two length bytes
        case body  // segment payload
        case entropy  // scan data
        case entropyFF  // scan data, just read FF
        case trailer  // after EOI
    }

    let options: ScrubOptions
    var state = State.start
    var offset = 0  // input offset of the byte being looked at
    var small: [UInt8] = []
    var marker: UInt8 = 0
    var remaining = 0
    var segment: [UInt8] = []
    var markerOffset = 0
    var headerDone = false
    var sawFrame = false
    var sawScan = false
    var frameQuantTable: [UInt8: UInt8] = [:]  // component id → quantisation table
    var definedQuantTables: Set<UInt8> = []
    /// Huffman tables defined so far, by class (0x00 DC, 0x10 AC) | id. With no DHT segment at
    /// all the decoder uses its default tables (Motion JPEG), so the scan check skips them.
    var definedHuffmanTables: Set<UInt8> = []
    var sawHuffmanSegment = false
    var arithmetic = false
    var exif: [UInt8] = []
    var icc = JPEGICCAssembler()
    var summary = ScrubSummary()

    public init(options: ScrubOptions) {
        self.options = options
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        let n = input.count
        var i = 0
        while i < n {
            switch state {
            case .entropy:
                // Copy scan data in one run up to the next marker: stuffed zeros (FF 00) and
                // restart markers (FF D0–D7) are scan data and stay in the run.
                var j = i
                while true {
                    j = ByteSearch.first(0xFF, in: input, from: j)
                    guard j + 1 < n else { break }
                    let next = input[j + 1]
                    guard next == 0x00 || (0xD0...0xD7).contains(next) else { break }
                    j += 2
                }
                if j > i { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<j])) }
                offset += j - i
                i = j
                if i < n {
                    state = .entropyFF
                    i += 1
                    offset += 1
                }
            case .trailer:
                summary.removed.insert(.trailer)
                offset += n - i
                i = n
            case .body:
                let take = min(remaining, n - i)
                segment.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                remaining -= take
                i += take
                offset += take
                if remaining == 0 { try endSegment(into: &output) }
            default:
                try step(input[i], into: &output)
                i += 1
                offset += 1
            }
        }
    }

    /// One byte of marker syntax.
    mutating func step(_ b: UInt8, into output: inout [UInt8]) throws(RedactionError) {
        switch state {
        case .start:
            small.append(b)
            if small.count == 2 {
                guard small == [0xFF, 0xD8] else { throw .malformed(.jpeg, offset: 0, reason: "no start-of-image marker") }
                output += small
                small = []
                state = .marker
            }
        case .marker:
            guard b == 0xFF else { throw .malformed(.jpeg, offset: offset, reason: "data where a marker must start") }
            markerOffset = offset
            state = .markerCode
        case .markerCode:
            try beginMarker(b, into: &output)
        case .entropyFF:
            switch b {
            case 0x00, 0xD0...0xD7:  // stuffed zero, restart marker: still scan data
                output.append(0xFF)
                output.append(b)
                state = .entropy
            case 0xFF:  // fill byte before a marker
                break
            default:
                markerOffset = offset - 1
                try beginMarker(b, into: &output)
            }
        case .length:
            small.append(b)
            if small.count == 2 {
                let length = Int(small[0]) << 8 | Int(small[1])
                small = []
                guard length >= 2 else {
                    throw .malformed(.jpeg, offset: offset - 1, reason: "segment length \(length) is below the minimum of 2")
                }
                remaining = length - 2
                segment = []
                segment.reserveCapacity(remaining)
                state = .body
                if remaining == 0 { try endSegment(into: &output) }
            }
        case .entropy, .body, .trailer:
            preconditionFailure("handled in consume")
        }
    }

    mutating func beginMarker(_ code: UInt8, into output: inout [UInt8]) throws(RedactionError) {
        marker = code
        switch code {
        case 0xFF:
            state = .markerCode  // fill byte
        case 0x00:
            throw .malformed(.jpeg, offset: offset, reason: "stuffed zero outside scan data")
        case 0xD8:
            throw .malformed(.jpeg, offset: offset, reason: "a second start-of-image marker")
        case 0xD9:
            guard sawScan else { throw .malformed(.jpeg, offset: offset, reason: "end of image before any scan") }
            output += [0xFF, 0xD9]
            state = .trailer
        case 0x01, 0xD0...0xD7:
            output += [0xFF, code]
            state = .marker
        default:
            state = .length
        }
    }

    /// A whole segment is buffered: decide its fate.
    mutating func endSegment(into output: inout [UInt8]) throws(RedactionError) {
        state = .marker
        let code = marker
        if (0xE0...0xEF).contains(code) || code == 0xFE {
            switch JPEGSegmentPolicy.decide(marker: code, body: segment, options: options) {
            case .keep:
                emit(code, segment, into: &output)
            case .keepRewritten(let body):
                summary.removed.insert(code == 0xE0 ? .thumbnail : .other)
                emit(code, body, into: &output)
            case .exif:
                try takeExif()
            case .iccPart:
                // A part arriving after the image data started cannot be judged with the rest.
                if headerDone { summary.removed.insert(.other) } else { icc.add(segment) }
            case .drop(let categories):
                summary.removed.formUnion(categories)
            }
            segment = []
            return
        }
        if !headerDone { endHeader(into: &output) }
        switch code {
        case 0xC0...0xCF where code != 0xC4 && code != 0xC8 && code != 0xCC:
            // A second frame header does not decode (decoders stop or misread); refuse it.
            guard !sawFrame else { throw .undecodable(.jpeg, reason: "the picture has two frame headers") }
            sawFrame = true
            arithmetic = code >= 0xC9
            let count = segment.count >= 6 ? Int(segment[5]) : 0
            guard count > 0, segment.count >= 6 + 3 * count else {
                throw .malformed(.jpeg, offset: markerOffset, reason: "frame header too short")
            }
            for k in 0..<count { frameQuantTable[segment[6 + 3 * k]] = segment[8 + 3 * k] & 0x0F }
        case 0xDB:
            var at = 0
            while at < segment.count {
                definedQuantTables.insert(segment[at] & 0x0F)
                at += 1 + (segment[at] >> 4 == 0 ? 64 : 128)
            }
            guard at == segment.count else { throw .undecodable(.jpeg, reason: "a quantisation table is cut short") }
        case 0xC4:
            try checkHuffmanTables()
        case 0xCC, 0xDC, 0xDD, 0xDE, 0xDF:
            break
        case 0xDA:
            guard sawFrame else { throw .malformed(.jpeg, offset: markerOffset, reason: "scan before frame header") }
            try checkScanTables()
            sawScan = true
            state = .entropy
        default:
            throw .unsupportedLayout(.jpeg, reason: "marker 0x\(String(code, radix: 16, uppercase: true)) at byte \(markerOffset)")
        }
        emit(code, segment, into: &output)
        segment = []
    }

    /// A scan whose components have no quantisation or Huffman table does not decode: refuse it here
    /// rather than hand the verifier a file it must refuse.
    func checkScanTables() throws(RedactionError) {
        let count = segment.first.map(Int.init) ?? 0
        guard count > 0, segment.count == 4 + 2 * count else {
            throw .malformed(.jpeg, offset: markerOffset, reason: "scan header has the wrong length")
        }
        let firstCoefficient = segment[1 + 2 * count], lastCoefficient = segment[2 + 2 * count]
        let refining = segment[3 + 2 * count] >> 4 != 0
        for k in 0..<count {
            guard let table = frameQuantTable[segment[1 + 2 * k]] else {
                throw .undecodable(.jpeg, reason: "a scan names a component the frame does not have")
            }
            guard definedQuantTables.contains(table) else {
                throw .undecodable(.jpeg, reason: "a quantisation table is missing")
            }
            guard !arithmetic, sawHuffmanSegment else { continue }
            let tables = segment[2 + 2 * k]
            let needsDC = firstCoefficient == 0 && !refining, needsAC = lastCoefficient > 0
            if (needsDC && !definedHuffmanTables.contains(tables >> 4)) || (needsAC && !definedHuffmanTables.contains(0x10 | tables & 0x0F)) {
                throw .undecodable(.jpeg, reason: "a Huffman table is missing")
            }
        }
    }

    /// A Huffman table segment whose code counts run past its end does not decode. Records
    /// which tables it defines for the scan check.
    mutating func checkHuffmanTables() throws(RedactionError) {
        sawHuffmanSegment = true
        var at = 0
        while at < segment.count {
            guard segment.count - at >= 17 else { throw .undecodable(.jpeg, reason: "a Huffman table is cut short") }
            definedHuffmanTables.insert((segment[at] >> 4 == 0 ? 0 : 0x10) | segment[at] & 0x0F)
            at += 17 + segment[(at + 1)..<(at + 17)].reduce(0) { $0 + Int($1) }
        }
        guard at == segment.count else { throw .undecodable(.jpeg, reason: "a Huffman table is cut short") }
    }

    func emit(_ code: UInt8, _ body: [UInt8], into output: inout [UInt8]) {
        let length = body.count + 2
        output += [0xFF, code, UInt8(length >> 8), UInt8(length & 0xFF)]
        output += body
    }

    /// Collects EXIF until the header ends. One that turns up after the image data started
    /// can no longer be honoured, so if it asks for a rotation the file is refused rather
    /// than shown sideways.
    mutating func takeExif() throws(RedactionError) {
        let tiff = segment[6...]
        if tiff.isEmpty { summary.removed.insert(.other) }
        if headerDone {
            let late = ExifReader.findings(tiff: Array(tiff))
            summary.removed.formUnion(late.removed)
            if options.keepOrientation, let o = late.orientation, o != 1 {
                throw .unsupportedLayout(.jpeg, reason: "orientation stored after the image data")
            }
            return
        }
        if exif.count < Self.maxExifBytes { exif += tiff.prefix(Self.maxExifBytes - exif.count) }
    }

    /// First table/frame marker: the place to write the fresh EXIF, if the picture needs one.
    mutating func endHeader(into output: inout [UInt8]) {
        headerDone = true
        defer { endICC(into: &output) }
        guard !exif.isEmpty else { return }
        let tiff = exif
        exif = []
        guard let block = MinimalExifWriter.replacement(for: tiff, options: options, summary: &summary) else { return }
        emit(0xE1, JPEGSegmentPolicy.exif + block, into: &output)
    }

    /// Writes the held ICC parts if the whole profile is a standard one, else reports `device`.
    mutating func endICC(into output: inout [UInt8]) {
        guard !icc.isEmpty else { return }
        if icc.keep() {
            summary.kept.insert(.colorProfile)
            for part in icc.segments { emit(0xE2, part, into: &output) }
        } else {
            summary.removed.insert(.device)
        }
        icc = JPEGICCAssembler()
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        guard case .trailer = state else { throw .truncated(.jpeg, offset: offset) }
        return summary
    }
}
