/// The Xing/Info tag LAME and FFmpeg put in an MP3's first frame (a frame decoders skip, not
/// audio): frame count, byte count, seek table and the LAME extension with the encoder delay
/// and padding that gapless decoding needs. It stays, because dropping it changes how many
/// samples a decoder outputs. Its only identifying part is the encoder version string
/// ("LAME3.100", "Lavc61.19"): the five version characters become NUL, the family ("LAME",
/// "Lavf", "Lavc") stays because FFmpeg only honours the delay fields after one of those, and
/// any other 9 bytes become NUL. The bytes after the LAME extension, which no reader uses,
/// become zero. The LAME tag's CRC-16 is recomputed when it was valid before.
enum MP3VBRTag {
    static let families: [[UInt8]] = [Array("LAME".utf8), Array("Lavf".utf8), Array("Lavc".utf8)]

    /// Rewrites `frame` (a whole first frame) in place; true when anything identifying changed.
    static func neutralise(_ frame: inout [UInt8], header: MPEGAudioFrameHeader) -> Bool {
        guard header.layer == 1 else { return false }
        let o = header.vbrTagOffset
        guard frame.count >= o + 8 else { return false }
        let magic = Array(frame[o..<o + 4])
        guard magic == Array("Xing".utf8) || magic == Array("Info".utf8) else { return false }
        let flags = Int(frame[o + 7])
        var lame = o + 8
        if flags & 1 != 0 { lame += 4 }
        if flags & 2 != 0 { lame += 4 }
        if flags & 4 != 0 { lame += 100 }
        if flags & 8 != 0 { lame += 4 }
        guard lame + 36 <= frame.count else {
            // No room for a LAME extension: whatever follows the Xing fields is zeroed.
            let changed = frame[min(lame, frame.count)...].contains { $0 != 0 }
            for i in min(lame, frame.count)..<frame.count { frame[i] = 0 }
            return changed
        }
        let crcValid = crc16(frame[0..<(lame + 34)]) == UInt16(frame[lame + 34]) << 8 | UInt16(frame[lame + 35])
        let before = frame
        let family = Array(frame[lame..<(lame + 4)])
        if !families.contains(family) { for i in lame..<(lame + 4) { frame[i] = 0 } }
        for i in (lame + 4)..<(lame + 9) { frame[i] = 0 }
        for i in (lame + 36)..<frame.count { frame[i] = 0 }
        if crcValid {
            let c = crc16(frame[0..<(lame + 34)])
            frame[lame + 34] = UInt8(c >> 8)
            frame[lame + 35] = UInt8(c & 0xFF)
        }
        return frame != before
    }

    /// Does this first frame carry a Xing, Info or VBRI header?
    static func isTagFrame(_ frame: ArraySlice<UInt8>, header: MPEGAudioFrameHeader) -> Bool {
        let s = frame.startIndex, o = s + header.vbrTagOffset
        guard header.layer == 1, frame.count >= 40, o + 4 <= frame.endIndex else { return false }
        let magic = Array(frame[o..<(o + 4)])
        return magic == Array("Xing".utf8) || magic == Array("Info".utf8) || frame[(s + 36)..<(s + 40)].elementsEqual("VBRI".utf8)
    }

    /// CRC-16/ARC (reflected 0xA001, initial 0), as LAME computes its tag's checksum.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for b in bytes {
            crc ^= UInt16(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }
}
