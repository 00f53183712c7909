import TiplinePolicy

/// Re-reads MP3 output independently of `MP3Scrubber` (own header tables, own walk) and fails
/// unless every byte belongs to an MPEG audio frame: frames start at byte 0 and chain exactly
/// to the end, all with the first frame's version, layer and sample rate. A tag (ID3v2, ID3v1,
/// APEv2, Lyrics3) cannot start with a frame sync, so structure alone rules them out. A
/// Xing/Info first frame must carry no encoder version and nothing after its LAME extension.
public struct MP3Verifier: OutputVerifier {
    public static let format = MediaFormat.mp3

    /// kbit/s by [MPEG-1?][layer 1...3][index]; index 0 (free) and 15 (bad) are absent.
    private static let kbps: [Bool: [[Int]]] = [
        true: [
            [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
            [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
            [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        ],
        false: [
            [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
            [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
            [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        ],
    ]

    private var header: [UInt8] = []
    private var left = 0
    private var stream: (UInt8, UInt8)?
    private var frames = 0
    private var offset = 0
    /// The first frame, held whole to look for a Xing/Info tag.
    private var first: [UInt8]?
    private var firstLength = 0
    private var firstMono = false

    public init(options: ScrubOptions) {}

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.mp3, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var i = 0
        while i < bytes.count {
            if left > 0 {
                let n = min(left, bytes.count - i)
                if first != nil { first!.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)])) }
                left -= n
                i += n
                offset += n
                if left == 0, first != nil { try checkFirst() }
                continue
            }
            header.append(bytes[i])
            i += 1
            offset += 1
            if header.count == 4 { try startFrame() }
        }
    }

    public mutating func finish() throws(RedactionError) {
        guard frames > 0 else { throw fail("no MPEG audio frame") }
        guard left == 0, header.isEmpty else { throw fail("output ends inside a frame") }
    }

    private mutating func startFrame() throws(RedactionError) {
        let h = header
        header = []
        let at = offset - 4
        guard h[0] == 0xFF, h[1] >> 5 == 7 else { throw fail("byte \(at) is not a frame sync") }
        let versionBits = (h[1] >> 3) & 3, layerBits = (h[1] >> 1) & 3
        let index = Int(h[2] >> 4), rateBits = Int(h[2] >> 2) & 3
        guard versionBits != 1, layerBits != 0, (1...14).contains(index), rateBits != 3 else {
            throw fail("invalid frame header at byte \(at)")
        }
        if let s = stream, s.0 != versionBits || s.1 != h[2] & 0x0C || layer != layerBits {
            throw fail("frame at byte \(at) changes version, layer or sample rate")
        }
        stream = (versionBits, h[2] & 0x0C)
        layer = layerBits
        let mpeg1 = versionBits == 3
        let layerNumber = 4 - Int(layerBits)
        let base = [44100, 48000, 32000][rateBits]
        let rate = mpeg1 ? base : (versionBits == 2 ? base / 2 : base / 4)
        let bitrate = Self.kbps[mpeg1]![layerNumber - 1][index - 1] * 1000
        let pad = Int(h[2] >> 1) & 1
        let length: Int
        if layerNumber == 1 {
            length = 4 * (12 * bitrate / rate + pad)
        } else {
            length = (layerNumber == 3 && !mpeg1 ? 72 : 144) * bitrate / rate + pad
        }
        left = length - 4
        if frames == 0 {
            first = h
            firstLength = length
            firstMono = h[3] & 0xC0 == 0xC0
        }
        frames += 1
    }

    private var layer: UInt8 = 0

    /// A Xing/Info tag may keep its stream fields; the encoder version and anything after the
    /// LAME extension must be gone.
    private mutating func checkFirst() throws(RedactionError) {
        let f = first!
        first = nil
        guard layer == 1 else { return }
        let mpeg1 = stream!.0 == 3
        let at = 4 + (mpeg1 ? (firstMono ? 17 : 32) : (firstMono ? 9 : 17))
        guard at + 8 <= f.count else { return }
        let tag = String(decoding: f[at..<(at + 4)], as: UTF8.self)
        guard tag == "Xing" || tag == "Info" else { return }
        let flags = f[at + 7]
        let fields = [4, 4, 100, 4].enumerated().reduce(0) { $0 + (flags & (1 << $1.offset) != 0 ? $1.element : 0) }
        let ext = at + 8 + fields
        if ext + 36 > f.count {
            guard f[min(ext, f.count)...].allSatisfy({ $0 == 0 }) else { throw fail("bytes after the Xing tag") }
            return
        }
        let family = String(decoding: f[ext..<(ext + 4)], as: UTF8.self)
        guard ["LAME", "Lavf", "Lavc", "\0\0\0\0"].contains(family), f[(ext + 4)..<(ext + 9)].allSatisfy({ $0 == 0 }) else {
            throw fail("the Xing frame still names its encoder version")
        }
        guard f[(ext + 36)...].allSatisfy({ $0 == 0 }) else { throw fail("bytes after the LAME extension") }
    }
}
