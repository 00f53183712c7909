/// Builds small fast-start movies box by box for the movie verifier's tests: `ftyp`, `moov` with
/// one H.264 (or HEVC) video track and one AAC audio track, and `mdat` laid out as
/// V0 V1 | gap | A0 A1 | V2 (two video chunks around one audio chunk). Every knob is one way the
/// scrubber's output could go wrong.
struct MovieBytes {
    var brand = "isom"
    var compatible = ["isom", "iso2", "mp41"]
    var minorVersion: UInt64 = 0
    var mvhdVersion: UInt8 = 0
    var mvhdTimes: (UInt64, UInt64) = (0, 0)
    var tkhdVersion: UInt8 = 0
    var tkhdTimes: (UInt64, UInt64) = (0, 0)
    var mdhdVersion: UInt8 = 0
    var mdhdTimes: (UInt64, UInt64) = (0, 0)
    var moovExtra: [[UInt8]] = []
    var videoTrakExtra: [[UInt8]] = []
    var extraTracks: [[UInt8]] = []
    var videoHandlerName = Array("VideoHandler\0".utf8)
    var soundHandlerName = Array("SoundHandler\0".utf8)
    var hevc = false
    var hevcSEIArray = false
    var compressorName = [UInt8](repeating: 0, count: 32)
    var videoEntryExtra: [[UInt8]] = []
    var drefEntries: [[UInt8]] = [Self.full("url ", 0, 1)]
    var videoSamples: [[UInt8]]?
    var audioSamples: [[UInt8]] = [[0x21, 0x10, 0x04], [0x21, 0x10, 0x05, 0x06]]
    var audioEntry: [UInt8]?
    var extraVideoSizes: [Int] = []
    var co64 = false
    var largeMdat = false
    var gapAfterVideo: [UInt8] = []
    var audioOffsetDelta = 0
    var trailing: [UInt8] = []

    static func be(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * (n - 1 - $0))) } }
    static func be(_ v: Int, _ n: Int) -> [UInt8] { be(UInt64(v), n) }
    static func box(_ type: String, _ parts: [UInt8]...) -> [UInt8] {
        let p = parts.flatMap { $0 }
        return be(p.count + 8, 4) + Array(type.utf8) + p
    }
    static func full(_ type: String, _ version: UInt8, _ flags: Int, _ parts: [UInt8]...) -> [UInt8] {
        box(type, [version] + be(flags, 3) + parts.flatMap { $0 })
    }
    static func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }
    static func nal(_ n: [UInt8]) -> [UInt8] { be(n.count, 4) + n }
    static func times(_ version: UInt8, _ t: (UInt64, UInt64)) -> [UInt8] {
        be(t.0, version == 0 ? 4 : 8) + be(t.1, version == 0 ? 4 : 8)
    }

    static let avcSamples: [[UInt8]] = [
        nal([0x06, 0x00, 0x03, 0x00, 0x00, 0x03, 0x01, 0x80]) + nal([0x65, 0x88, 0x84, 0x00]),
        nal([0x41, 0x9A, 0x02]),
        nal([0x41, 0x9A, 0x03, 0x04]) + nal([0x06, 0x06, 0x01, 0xC4, 0x80]),
    ]
    static let hevcSamples: [[UInt8]] = [
        nal([0x4E, 0x01, 0x06, 0x01, 0xC4, 0x80]) + nal([0x26, 0x01, 0xAF, 0x10]),
        nal([0x02, 0x01, 0xD0]),
        nal([0x02, 0x01, 0xD1]) + nal([0x50, 0x01, 0x84, 0x02, 0x11, 0x22, 0x80]),
    ]

    static func stbl(entry: [UInt8], sizes: [Int], chunks: [(offset: Int, samples: Int)], co64: Bool, timed: Int? = nil) -> [UInt8] {
        var runs: [UInt8] = []
        var last = -1
        for (i, c) in chunks.enumerated() where c.samples != last {
            runs += be(i + 1, 4) + be(c.samples, 4) + be(1, 4)
            last = c.samples
        }
        let offsets = chunks.flatMap { be($0.offset, co64 ? 8 : 4) }
        return box(
            "stbl",
            full("stsd", 0, 0, be(1, 4), entry),
            full("stts", 0, 0, be(1, 4), be(timed ?? sizes.count, 4), be(1, 4)),
            full("stsc", 0, 0, be(runs.count / 12, 4), runs),
            full("stsz", 0, 0, be(0, 4), be(sizes.count, 4), sizes.flatMap { be($0, 4) }),
            full(co64 ? "co64" : "stco", 0, 0, be(chunks.count, 4), offsets))
    }

    func trak(id: Int, handler: String, name: [UInt8], stbl: [UInt8], extra: [[UInt8]] = []) -> [UInt8] {
        let v = tkhdVersion
        let tkhd = Self.full("tkhd", v, 3, Self.times(v, tkhdTimes), Self.be(id, 4), Self.zeros(4), Self.be(1, v == 0 ? 4 : 8), Self.zeros(60))
        let m = mdhdVersion
        let mdhd = Self.full("mdhd", m, 0, Self.times(m, mdhdTimes), Self.be(1000, 4), Self.be(1, m == 0 ? 4 : 8), Self.be(0x55C4, 2), Self.zeros(2))
        let hdlr = Self.full("hdlr", 0, 0, Self.zeros(4), Array(handler.utf8), Self.zeros(12), name)
        let header = handler == "soun" ? Self.full("smhd", 0, 0, Self.zeros(4)) : Self.full("vmhd", 0, 1, Self.zeros(8))
        let dinf = Self.box("dinf", Self.full("dref", 0, 0, Self.be(drefEntries.count, 4), drefEntries.flatMap { $0 }))
        let minf = Self.box("minf", header, dinf, stbl)
        return Self.box("trak", tkhd, extra.flatMap { $0 }, Self.box("mdia", mdhd, hdlr, minf))
    }

    var videoEntry: [UInt8] {
        let config: [UInt8]
        if hevc {
            var arrays: [[UInt8]] = [
                [0x20] + Self.be(1, 2) + Self.be(3, 2) + [0x40, 0x01, 0x0C],
                [0x21] + Self.be(1, 2) + Self.be(3, 2) + [0x42, 0x01, 0x01],
                [0x22] + Self.be(1, 2) + Self.be(3, 2) + [0x44, 0x01, 0xC1],
            ]
            if hevcSEIArray { arrays.append([0x27] + Self.be(1, 2) + Self.be(5, 2) + [0x4E, 0x01, 0x05, 0x00, 0x80]) }
            config = Self.box("hvcC", [1], Self.zeros(20), [0xF3, UInt8(arrays.count)], arrays.flatMap { $0 })
        } else {
            config = Self.box(
                "avcC", [1, 0x64, 0, 0x1F, 0xFF, 0xE1], Self.be(4, 2), [0x67, 0x64, 0, 0x1F], [1], Self.be(4, 2), [0x68, 0xEE, 0x3C, 0x80])
        }
        return Self.box(
            hevc ? "hvc1" : "avc1", Self.zeros(6), Self.be(1, 2), Self.zeros(16), Self.be(64, 2), Self.be(48, 2),
            Self.be(0x48_0000, 4), Self.be(0x48_0000, 4), Self.zeros(4), Self.be(1, 2), compressorName, Self.be(0x18, 2),
            Self.be(0xFFFF, 2), config, videoEntryExtra.flatMap { $0 })
    }

    static let mp4a = box(
        "mp4a", zeros(6), be(1, 2), zeros(8), be(2, 2), be(16, 2), zeros(4), be(44100 << 16, 4),
        full("esds", 0, 0, [0x03, 0x19, 0x00, 0x01, 0x00, 0x04, 0x11, 0x40, 0x15] + zeros(11) + [0x05, 0x02, 0x12, 0x10, 0x06, 0x01, 0x02]))

    /// The three top-level boxes, in order.
    func parts() -> (ftyp: [UInt8], moov: [UInt8], mdat: [UInt8]) {
        let ftyp = Self.box("ftyp", Array(brand.utf8), Self.be(minorVersion, 4), compatible.flatMap { Array($0.utf8) })
        let v = videoSamples ?? (hevc ? Self.hevcSamples : Self.avcSamples)
        let payload = v[0] + v[1] + gapAfterVideo + audioSamples.joined() + v[2]
        func moov(_ start: Int) -> [UInt8] {
            let firstAudio = start + v[0].count + v[1].count + gapAfterVideo.count
            let lastVideo = firstAudio + audioSamples.joined().count
            let videoStbl = Self.stbl(
                entry: videoEntry, sizes: v.map(\.count) + extraVideoSizes, chunks: [(start, 2), (lastVideo, 1)], co64: co64)
            let audioStbl = Self.stbl(
                entry: audioEntry ?? Self.mp4a, sizes: audioSamples.map(\.count), chunks: [(firstAudio + audioOffsetDelta, 2)], co64: co64)
            let mv = mvhdVersion
            let mvhd = Self.full("mvhd", mv, 0, Self.times(mv, mvhdTimes), Self.be(1000, 4), Self.be(3, mv == 0 ? 4 : 8), Self.zeros(80))
            return Self.box(
                "moov", mvhd, trak(id: 1, handler: "vide", name: videoHandlerName, stbl: videoStbl, extra: videoTrakExtra),
                trak(id: 2, handler: "soun", name: soundHandlerName, stbl: audioStbl), extraTracks.flatMap { $0 }, moovExtra.flatMap { $0 })
        }
        let header =
            largeMdat ? Self.be(1, 4) + Array("mdat".utf8) + Self.be(payload.count + 16, 8) : Self.be(payload.count + 8, 4) + Array("mdat".utf8)
        let start = ftyp.count + moov(1 << 20).count + header.count
        return (ftyp, moov(start), header + payload)
    }

    func build() -> [UInt8] {
        let p = parts()
        return p.ftyp + p.moov + p.mdat + trailing
    }

    /// A track of another kind with no samples.
    func emptyTrack(handler: String, entry: [UInt8], name: [UInt8] = Array("VideoHandler\0".utf8)) -> [UInt8] {
        trak(id: 3, handler: handler, name: name, stbl: Self.stbl(entry: entry, sizes: [], chunks: [], co64: co64))
    }
}
