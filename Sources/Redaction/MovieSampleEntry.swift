import TiplinePolicy

/// Rebuilds a track's sample description (`stsd`): only codecs on the list, only the child
/// boxes a decoder needs, the visual entry's compressor name (writer's free text) zeroed.
enum MovieSampleEntry {
    static let videoCodecs: [FourCC: VideoUserDataFilter.Codec] = [
        FourCC("avc1"): .h264, FourCC("avc3"): .h264, FourCC("hvc1"): .hevc, FourCC("hev1"): .hevc,
    ]
    static let audioCodecs: Set<FourCC> = [
        FourCC("mp4a"), FourCC("alac"), FourCC("Opus"), FourCC("ac-3"), FourCC("ec-3"), FourCC("samr"), FourCC("sawb"),
        FourCC("fLaC"), FourCC("lpcm"), FourCC("sowt"), FourCC("twos"), FourCC("in24"), FourCC("in32"), FourCC("fl32"),
        FourCC("fl64"), FourCC("ipcm"),
    ]
    static let videoChildren: Set<FourCC> = [
        FourCC("avcC"), FourCC("hvcC"), FourCC("colr"), FourCC("pasp"), FourCC("btrt"), FourCC("clap"), FourCC("fiel"),
        FourCC("mdcv"), FourCC("clli"), FourCC("dvcC"), FourCC("dvvC"), FourCC("dvwC"),
    ]
    static let audioChildren: Set<FourCC> = [
        FourCC("esds"), FourCC("dOps"), FourCC("alac"), FourCC("dac3"), FourCC("dec3"), FourCC("damr"), FourCC("chan"),
        FourCC("btrt"), FourCC("dfLa"), FourCC("pcmC"), FourCC("srat"), FourCC("wave"),
    ]
    static let waveChildren: Set<FourCC> = [
        FourCC("frma"), FourCC("mp4a"), FourCC("esds"), FourCC("enda"), FourCC("chan"), FourCC("alac"), FourCC(value: 0),
    ]
    static let encrypted: Set<FourCC> = [FourCC("encv"), FourCC("enca"), FourCC("sinf"), FourCC("drms"), FourCC("drmi")]

    struct Rebuilt {
        var stsd: [UInt8]
        var entryCount: Int
        /// Set for H.264/HEVC tracks: how to find SEI in their samples.
        var filter: VideoUserDataFilter?
        var droppedChildren: Bool
    }

    /// Rebuilds `stsd` of a track whose handler is `vide` or `soun`; refuses unknown codecs
    /// (the track would lose its picture or sound otherwise) and encrypted entries.
    static func rebuild(_ r: MovieBoxReader, stsd: MovieBox, video: Bool) throws(RedactionError) -> Rebuilt {
        let range = stsd.payload..<stsd.end
        let count = try r.int(stsd.payload + 4, 4, in: range)
        let entries = try r.boxes(in: (stsd.payload + 8)..<stsd.end)
        guard count >= 1, entries.count == count else {
            throw r.malformed(stsd.start, "the sample description count does not match its entries")
        }
        var out: [UInt8] = [0, 0, 0, 0]
        MovieBoxWriter.appendBE(&out, UInt64(count), 4)
        var filter: VideoUserDataFilter?
        var dropped = false
        for entry in entries {
            if encrypted.contains(entry.type) { throw .unsupportedLayout(.mp4, reason: "the file is encrypted") }
            let rebuilt: [UInt8]
            if video {
                guard let codec = videoCodecs[entry.type] else {
                    throw .unsupportedLayout(.mp4, reason: "video codec '\(entry.type)' is not one we can clean")
                }
                let (bytes, lengthSize, d) = try videoEntry(r, entry)
                let f = VideoUserDataFilter(codec: codec, lengthSize: lengthSize)
                if let filter, filter.codec != f.codec || filter.lengthSize != f.lengthSize {
                    throw .unsupportedLayout(.mp4, reason: "one video track mixes codec settings")
                }
                filter = f
                rebuilt = bytes
                dropped = dropped || d
            } else {
                guard audioCodecs.contains(entry.type) else {
                    throw .unsupportedLayout(.mp4, reason: "audio codec '\(entry.type)' is not one we can clean")
                }
                let (bytes, d) = try audioEntry(r, entry)
                rebuilt = bytes
                dropped = dropped || d
            }
            out += rebuilt
        }
        return Rebuilt(stsd: MovieBoxWriter.box(FourCC("stsd"), out), entryCount: count, filter: filter, droppedChildren: dropped)
    }

    /// Visual sample entry: 6 reserved, data reference index, 70 bytes of fields, then boxes.
    private static func videoEntry(_ r: MovieBoxReader, _ e: MovieBox) throws(RedactionError) -> ([UInt8], Int, Bool) {
        guard e.payloadCount >= 78 else { throw r.malformed(e.start, "a video sample entry is too short") }
        var fixed = Array(r.slice(e.payload..<(e.payload + 78)))
        fixed.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 1])  // one self-contained data reference
        for i in 42..<74 { fixed[i] = 0 }  // compressorname: the writer's free text
        var lengthSize: Int?
        var children: [UInt8] = []
        var dropped = false
        for child in try r.boxes(in: (e.payload + 78)..<e.end) {
            if encrypted.contains(child.type) { throw .unsupportedLayout(.mp4, reason: "the file is encrypted") }
            guard videoChildren.contains(child.type) else {
                dropped = true
                continue
            }
            switch child.type {
            case FourCC("avcC"):
                lengthSize = try avcCLengthSize(r, child)
                children += r.slice(child.start..<child.end)
            case FourCC("hvcC"):
                lengthSize = Int(try r.be(child.payload + 21, 1, in: child.payload..<child.end) & 3) + 1
                let (clean, d) = try hvcCWithoutSEI(r, child)
                children += clean
                dropped = dropped || d
            case FourCC("colr"):
                // Only coded colour parameters; an embedded ICC profile can name the device.
                let kind = try r.be(child.payload, 4, in: child.payload..<child.end)
                if kind == UInt64(FourCC("nclx").value) || kind == UInt64(FourCC("nclc").value) {
                    children += r.slice(child.start..<child.end)
                } else {
                    dropped = true
                }
            default:
                children += r.slice(child.start..<child.end)
            }
        }
        guard let lengthSize, lengthSize != 3 else {
            throw r.malformed(e.start, "an H.264/HEVC sample entry has no usable decoder configuration")
        }
        return (MovieBoxWriter.box(e.type, fixed + children), lengthSize, dropped)
    }

    /// The NAL length size of an `avcC` (ISO/IEC 14496-15 §5.3.3.1), after checking that it is
    /// version 1 and that its SPS and PPS lists hold only parameter sets, inside the box.
    private static func avcCLengthSize(_ r: MovieBoxReader, _ b: MovieBox) throws(RedactionError) -> Int {
        let range = b.payload..<b.end
        guard try r.int(b.payload, 1, in: range) == 1 else { throw r.malformed(b.start, "avcC has an unknown version") }
        let lengthSize = try r.int(b.payload + 4, 1, in: range) & 3 + 1
        var pos = b.payload + 5
        for nalType in [7, 8] {
            let count = try r.int(pos, 1, in: range) & (nalType == 7 ? 0x1F : 0xFF)
            pos += 1
            for _ in 0..<count {
                let length = try r.int(pos, 2, in: range)
                guard length >= 1, pos + 2 + length <= b.end, try r.int(pos + 2, 1, in: range) & 0x1F == nalType else {
                    throw r.malformed(b.start, "avcC holds a NAL unit that is not a parameter set")
                }
                pos += 2 + length
            }
        }
        return lengthSize
    }

    /// `hvcC` without its SEI arrays (NAL types 39 and 40): 22 bytes of fields, an array count,
    /// then arrays of (type, count, (length, NAL unit)…).
    private static func hvcCWithoutSEI(_ r: MovieBoxReader, _ b: MovieBox) throws(RedactionError) -> ([UInt8], Bool) {
        let range = b.payload..<b.end
        guard b.payloadCount >= 23 else { throw r.malformed(b.start, "hvcC is too short") }
        var out = Array(r.slice(b.payload..<(b.payload + 22)))
        let arrays = try r.int(b.payload + 22, 1, in: range)
        var kept: [[UInt8]] = []
        var dropped = false
        var pos = b.payload + 23
        for _ in 0..<arrays {
            let start = pos
            let type = Int(try r.be(pos, 1, in: range) & 0x3F)
            let n = try r.int(pos + 1, 2, in: range)
            pos += 3
            for _ in 0..<n { pos += 2 + (try r.int(pos, 2, in: range)) }
            guard pos <= b.end else { throw r.malformed(start, "an hvcC array runs past its box") }
            if type == 39 || type == 40 {
                dropped = true
            } else {
                kept.append(Array(r.slice(start..<pos)))
            }
        }
        guard pos == b.end else { throw r.malformed(pos, "hvcC has bytes after its arrays") }
        out.append(UInt8(kept.count))
        for a in kept { out += a }
        return (MovieBoxWriter.box(FourCC("hvcC"), out), dropped)
    }

    /// Audio sample entry: 6 reserved, data reference index, 20 bytes (QuickTime versions 1
    /// and 2 add 16 or 36), then boxes; the vendor code is zeroed.
    private static func audioEntry(_ r: MovieBoxReader, _ e: MovieBox) throws(RedactionError) -> ([UInt8], Bool) {
        guard e.payloadCount >= 28 else { throw r.malformed(e.start, "an audio sample entry is too short") }
        let version = try r.int(e.payload + 8, 2, in: e.payload..<e.end)
        let fixedCount: Int
        switch version {
        case 0: fixedCount = 28
        case 1: fixedCount = 44
        case 2: fixedCount = 64
        default: throw .unsupportedLayout(.mp4, reason: "audio sample entry version \(version)")
        }
        guard e.payloadCount >= fixedCount else { throw r.malformed(e.start, "an audio sample entry is too short") }
        var fixed = Array(r.slice(e.payload..<(e.payload + fixedCount)))
        fixed.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 1])
        for i in 12..<16 { fixed[i] = 0 }  // vendor
        var children: [UInt8] = []
        var dropped = false
        for child in try r.boxes(in: (e.payload + fixedCount)..<e.end) {
            if encrypted.contains(child.type) { throw .unsupportedLayout(.mp4, reason: "the file is encrypted") }
            guard audioChildren.contains(child.type) else {
                dropped = true
                continue
            }
            if child.type == FourCC("wave") {
                var inner: [UInt8] = []
                for w in try r.boxes(in: child.payload..<child.end) {
                    if encrypted.contains(w.type) { throw .unsupportedLayout(.mp4, reason: "the file is encrypted") }
                    if waveChildren.contains(w.type) { inner += r.slice(w.start..<w.end) } else { dropped = true }
                }
                children += MovieBoxWriter.box(FourCC("wave"), inner)
            } else {
                children += r.slice(child.start..<child.end)
            }
        }
        return (MovieBoxWriter.box(e.type, fixed + children), dropped)
    }
}
