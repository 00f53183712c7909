import TiplinePolicy

/// Removes SEI messages from H.264 and HEVC samples, keeping only those that decoders use and
/// that carry nothing about the recording: camcorders put GPS and the time of capture in
/// `user_data_unregistered` (type 5) and `user_data_registered_itu_t_t35` (type 4), and encoders
/// their name and settings; `pic_timing` can carry a wall-clock time. A sample is a run of
/// NAL units, each prefixed by its length (1, 2 or 4 bytes, from `avcC`/`hvcC`). Every other NAL
/// unit is copied byte for byte, so decoded pictures do not change.
struct VideoUserDataFilter {
    enum Codec { case h264, hevc }
    let codec: Codec
    let lengthSize: Int

    /// H.264: buffering period, recovery point, film grain, frame packing, display orientation,
    /// mastering display, content light level, alternative transfer characteristics.
    static let keptH264: Set<Int> = [0, 6, 19, 45, 47, 137, 144, 147]
    /// HEVC: the same, plus active parameter sets and decoded picture hash.
    static let keptHEVC: Set<Int> = [0, 6, 19, 129, 132, 137, 144, 147]

    init(codec: Codec, lengthSize: Int) {
        self.codec = codec
        self.lengthSize = lengthSize
    }

    /// The sample without removed SEI, or nil when nothing in it had to go (the common case,
    /// which then costs one pass over the NAL length prefixes and headers and no copy: the
    /// payloads of other NAL units are stepped over, never read).
    func filter(_ sample: UnsafeRawBufferPointer, at offset: Int) throws(RedactionError) -> [UInt8]? {
        var out: [UInt8]? = nil
        var pos = 0
        while pos < sample.count {
            guard sample.count - pos >= lengthSize else { throw bad(offset + pos, "a NAL unit length is cut short") }
            var length = 0
            for i in 0..<lengthSize { length = length << 8 | Int(sample[pos + i]) }
            let start = pos + lengthSize
            guard length <= sample.count - start else { throw bad(offset + pos, "a NAL unit runs past its sample") }
            let nal = UnsafeRawBufferPointer(rebasing: sample[start..<(start + length)])
            // An empty NAL unit carries nothing and decoders skip it; the rebuilt file has none.
            let replacement = length == 0 ? [] : isSEI(nal) ? try filterSEI(nal, at: offset + start) : nil
            if let replacement {
                if out == nil {
                    out = Array(UnsafeRawBufferPointer(rebasing: sample[0..<pos]))
                    out!.reserveCapacity(sample.count)
                }
                if !replacement.isEmpty {
                    for i in stride(from: lengthSize - 1, through: 0, by: -1) {
                        out!.append(UInt8(truncatingIfNeeded: replacement.count >> (8 * i)))
                    }
                    out! += replacement
                }
            } else if out != nil {
                out!.append(contentsOf: UnsafeRawBufferPointer(rebasing: sample[pos..<(start + length)]))
            }
            pos = start + length
        }
        return out
    }

    /// The same for a sample held in an array (tests, and callers without a spool).
    func filter(_ sample: [UInt8], at offset: Int) throws(RedactionError) -> [UInt8]? {
        try sample.withRawBytes { (raw) throws(RedactionError) in try filter(raw, at: offset) }
    }

    private func bad(_ at: Int, _ reason: String) -> RedactionError { .malformed(.mp4, offset: at, reason: reason) }

    private var headerSize: Int { codec == .h264 ? 1 : 2 }

    private func isSEI(_ nal: UnsafeRawBufferPointer) -> Bool {
        guard let first = nal.first else { return false }
        switch codec {
        case .h264: return first & 0x1F == 6
        case .hevc:
            let type = (first >> 1) & 0x3F
            return type == 39 || type == 40
        }
    }

    /// nil if every message is kept; an empty array if none is (the NAL unit is dropped);
    /// otherwise the NAL unit re-encoded with only the kept messages.
    private func filterSEI(_ nal: UnsafeRawBufferPointer, at offset: Int) throws(RedactionError) -> [UInt8]? {
        guard nal.count > headerSize else { throw bad(offset, "an SEI NAL unit has no messages") }
        let rbsp = Self.unescape(nal.dropFirst(headerSize))
        let kept = codec == .h264 ? Self.keptH264 : Self.keptHEVC
        var keptBytes: [UInt8] = []
        var droppedAny = false
        var i = 0
        // sei_message()* then rbsp_trailing_bits (0x80).
        while i < rbsp.count && !(rbsp[i] == 0x80 && rbsp[(i + 1)...].allSatisfy { $0 == 0 }) {
            let begin = i
            var type = 0
            var size = 0
            while i < rbsp.count && rbsp[i] == 0xFF { type += 255; i += 1 }
            guard i < rbsp.count else { throw bad(offset, "an SEI message type is cut short") }
            type += Int(rbsp[i])
            i += 1
            while i < rbsp.count && rbsp[i] == 0xFF { size += 255; i += 1 }
            guard i < rbsp.count else { throw bad(offset, "an SEI message size is cut short") }
            size += Int(rbsp[i])
            i += 1
            guard size <= rbsp.count - i else { throw bad(offset, "an SEI message runs past its NAL unit") }
            i += size
            if kept.contains(type) {
                keptBytes += rbsp[begin..<i]
            } else {
                droppedAny = true
            }
        }
        guard i < rbsp.count else { throw bad(offset, "an SEI NAL unit has no trailing bits") }
        guard droppedAny else { return nil }
        guard !keptBytes.isEmpty else { return [] }
        return Array(nal.prefix(headerSize)) + Self.escape(keptBytes + [0x80])
    }

    /// NAL payload → RBSP: drops each emulation-prevention 0x03 that follows two zero bytes.
    static func unescape<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var zeros = 0
        for b in bytes {
            if zeros >= 2 && b == 0x03 {
                zeros = 0
                continue
            }
            out.append(b)
            zeros = b == 0 ? zeros + 1 : 0
        }
        return out
    }

    /// RBSP → NAL payload: inserts 0x03 wherever two zero bytes precede a byte ≤ 3.
    static func escape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 64)
        var zeros = 0
        for b in bytes {
            if zeros >= 2 && b <= 3 {
                out.append(0x03)
                zeros = 0
            }
            out.append(b)
            zeros = b == 0 ? zeros + 1 : 0
        }
        return out
    }
}
