import TiplinePolicy

/// Streams a GIF block by block. Header, screen descriptor, colour tables, image descriptors
/// and their LZW data, graphic control extensions and the looping application extension
/// (NETSCAPE2.0 / ANIMEXTS1.0) are copied byte for byte; comments, plain text, every other
/// application extension (XMP lives in one) and anything after the trailer are dropped.
/// An ICC profile extension (ICCRGBG1012) is held whole, capped, and kept only if the profile
/// is a standard colour space. Memory: one 255-byte sub-block, the head of a dropped extension
/// to name it, and at most one capped ICC profile.
public struct GIFScrubber: Scrubber {
    public static let format = MediaFormat.gif
    static let maxCollect = 64 * 1024

    enum Phase { case header, introducer, imageDescriptor, codeSize, label, blockSize, appIdentifier, trailer }
    enum Mode { case keep, drop, identify, icc }

    let options: ScrubOptions
    var phase = Phase.header
    var want = 13
    var small: [UInt8] = []
    var offset = 0
    var copyLeft = 0
    var copyKeep = false
    var afterCopy = Phase.introducer
    var mode = Mode.keep
    var dropCategories: Set<MetadataCategory> = []
    var collected: [UInt8]?
    /// The ICC application extension being held: its sub-block sizes and the profile bytes.
    var iccSizes: [UInt8] = []
    var iccProfile: [UInt8] = []
    var iccTooLong = false
    var summary = ScrubSummary()

    public init(options: ScrubOptions) {
        self.options = options
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        var i = 0
        let n = input.count
        while i < n {
            if copyLeft > 0 {
                let take = min(copyLeft, n - i)
                let piece = UnsafeRawBufferPointer(rebasing: input[i..<(i + take)])
                if copyKeep {
                    output.append(contentsOf: piece)
                } else if mode == .icc {
                    if !iccTooLong { iccProfile.append(contentsOf: piece) }
                } else if collected != nil, collected!.count < Self.maxCollect {
                    collected!.append(contentsOf: piece.prefix(Self.maxCollect - collected!.count))
                }
                copyLeft -= take
                i += take
                offset += take
                if copyLeft == 0 { setPhase(afterCopy) }
                continue
            }
            if phase == .trailer {
                summary.removed.insert(.trailer)
                offset += n - i
                return
            }
            small.append(input[i])
            i += 1
            offset += 1
            if small.count == want {
                let bytes = small
                small = []
                try complete(bytes, into: &output)
            }
        }
    }

    mutating func setPhase(_ p: Phase, want w: Int = 1) {
        phase = p
        want = w
    }

    mutating func copy(_ count: Int, keep: Bool, then next: Phase) {
        if count == 0 { return setPhase(next) }
        copyLeft = count
        copyKeep = keep
        afterCopy = next
    }

    static func tableSize(_ packed: UInt8) -> Int { packed & 0x80 == 0 ? 0 : 3 << (Int(packed & 0x07) + 1) }

    mutating func complete(_ b: [UInt8], into output: inout [UInt8]) throws(RedactionError) {
        let at = offset - b.count
        switch phase {
        case .header:
            guard b[0..<6].elementsEqual("GIF87a".utf8) || b[0..<6].elementsEqual("GIF89a".utf8) else {
                throw .malformed(.gif, offset: 0, reason: "bad GIF signature")
            }
            output += b
            copy(Self.tableSize(b[10]), keep: true, then: .introducer)
            if copyLeft == 0 { setPhase(.introducer) }
        case .introducer:
            switch b[0] {
            case 0x2C: setPhase(.imageDescriptor, want: 9)
            case 0x21: setPhase(.label)
            case 0x3B: setPhase(.trailer)
            default: throw .malformed(.gif, offset: at, reason: "unknown block type 0x\(String(b[0], radix: 16))")
            }
            if b[0] != 0x21 { output += b }
        case .imageDescriptor:
            output += b
            copy(Self.tableSize(b[8]), keep: true, then: .codeSize)
            if copyLeft == 0 { setPhase(.codeSize) }
        case .codeSize:
            guard (1...11).contains(b[0]) else { throw .malformed(.gif, offset: at, reason: "LZW code size \(b[0]) out of range") }
            output += b
            mode = .keep
            setPhase(.blockSize)
        case .label:
            dropCategories = []
            collected = nil
            switch b[0] {
            case 0xF9:
                mode = .keep
                output += [0x21, 0xF9]
            case 0xFF: mode = .identify
            case 0xFE, 0x01:
                mode = .drop
                dropCategories = [.comment]
            default:
                mode = .drop
                dropCategories = [.other]
            }
            setPhase(.blockSize)
        case .blockSize:
            let size = Int(b[0])
            if size == 0 {
                if mode == .keep { output += b }
                if mode == .icc { endICC(into: &output) } else if mode != .keep { endDropped() }
                return setPhase(.introducer)
            }
            switch mode {
            case .keep:
                output += b
                copy(size, keep: true, then: .blockSize)
            case .drop: copy(size, keep: false, then: .blockSize)
            case .icc:
                iccSizes.append(b[0])
                if iccProfile.count + size > ICCProfileClassifier.maxProfileBytes {
                    iccTooLong = true
                    iccProfile = []
                }
                copy(size, keep: false, then: .blockSize)
            case .identify: setPhase(.appIdentifier, want: size)
            }
        case .appIdentifier:
            try identify(b, into: &output)
            setPhase(.blockSize)
        case .trailer:
            preconditionFailure("handled in consume")
        }
    }

    /// The first sub-block of an application extension names it; only looping (and the ICC
    /// profile, if the policy keeps it) may stay.
    mutating func identify(_ b: [UInt8], into output: inout [UInt8]) throws(RedactionError) {
        // GIF89a §26: the identifier block is exactly 11 bytes; any other length names nothing.
        let id = b.count == 11 ? String(decoding: b, as: UTF8.self) : ""
        switch id {
        case "NETSCAPE2.0", "ANIMEXTS1.0":
            summary.kept.insert(.animation)
            mode = .keep
        case "ICCRGBG1012" where options.keepICCProfile:
            mode = .icc
            iccSizes = []
            iccProfile = []
            iccTooLong = false
        case "XMP DataXMP":
            mode = .drop
            collected = b
        default:
            mode = .drop
            dropCategories = [.other]
        }
        if mode == .keep { output += [0x21, 0xFF, UInt8(b.count)] + b }
    }

    /// End of the ICC extension: written back with its original sub-blocks if the profile is
    /// a standard one, else dropped and reported as `device`.
    mutating func endICC(into output: inout [UInt8]) {
        defer {
            iccSizes = []
            iccProfile = []
        }
        guard !iccTooLong, ICCProfileClassifier.isStandard(iccProfile[...]) else {
            summary.removed.insert(.device)
            return
        }
        summary.kept.insert(.colorProfile)
        output += [0x21, 0xFF, 11] + Array("ICCRGBG1012".utf8)
        var at = 0
        for size in iccSizes {
            output.append(size)
            output += iccProfile[at..<(at + Int(size))]
            at += Int(size)
        }
        output.append(0)
    }

    mutating func endDropped() {
        if let collected {
            summary.removed.formUnion(XMPScan.categories(in: collected[...]))
        } else {
            summary.removed.formUnion(dropCategories.isEmpty ? [.other] : dropCategories)
        }
        collected = nil
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        guard phase == .trailer, copyLeft == 0 else { throw .truncated(.gif, offset: offset) }
        return summary
    }
}
