/// The scrubber's reading of a 4-byte MPEG audio frame header (MPEG-1, 2 and 2.5, Layers
/// I-III): enough to know how long the frame is and whether it belongs to the same stream.
/// Free-format (bitrate index 0) and "bad" (15) bitrates, reserved versions, layers and
/// sample rates are not headers at all.
struct MPEGAudioFrameHeader: Equatable {
    /// 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5 (the header's own encoding).
    let version: UInt8
    /// 3 = Layer I, 2 = Layer II, 1 = Layer III (the header's own encoding).
    let layer: UInt8
    let sampleRateIndex: UInt8
    let mono: Bool
    let length: Int

    static let v1Rates: [[Int]] = [
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  // Layer III
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],  // Layer II
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],  // Layer I
    ]
    static let v2Rates: [[Int]] = [
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  // Layers II and III
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],  // Layer I
    ]
    static let sampleRates: [Int] = [44100, 48000, 32000]

    init?(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }
        version = (b1 >> 3) & 3
        layer = (b1 >> 1) & 3
        let bitrateIndex = Int(b2 >> 4)
        sampleRateIndex = (b2 >> 2) & 3
        guard version != 1, layer != 0, bitrateIndex != 0, bitrateIndex != 15, sampleRateIndex != 3 else { return nil }
        guard b3 & 3 != 2 else { return nil }  // reserved emphasis
        mono = b3 >> 6 == 3
        let padding = Int(b2 >> 1) & 1
        let kbps = (version == 3 ? Self.v1Rates : Self.v2Rates)[Int(layer) - 1][bitrateIndex]
        let shift = version == 3 ? 0 : (version == 2 ? 1 : 2)
        let rate = Self.sampleRates[Int(sampleRateIndex)] >> shift
        switch layer {
        case 3: length = (12 * kbps * 1000 / rate + padding) * 4
        case 1 where version != 3: length = 72 * kbps * 1000 / rate + padding
        default: length = 144 * kbps * 1000 / rate + padding
        }
    }

    /// Same stream: a decoder cannot switch version, layer or sample rate between frames.
    func sameStream(as other: MPEGAudioFrameHeader) -> Bool {
        version == other.version && layer == other.layer && sampleRateIndex == other.sampleRateIndex
    }

    /// Where a Xing/Info tag sits in a Layer III frame: after the header and the side info.
    var vbrTagOffset: Int {
        switch (version == 3, mono) {
        case (true, false): 4 + 32
        case (true, true), (false, false): 4 + 17
        case (false, true): 4 + 9
        }
    }
}
