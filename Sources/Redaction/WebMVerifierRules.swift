/// The verifier's own allowlist of Matroska/WebM output, written apart from the scrubber's
/// schema so one mistake cannot be in both: for each parent element, the children that may
/// appear in a scrubbed file and how each is read. Anything else is a failure.
enum WebMVerifierRules {
    enum Read {
        /// A master element: read its children.
        case children
        /// Skipped unread: its bytes carry no metadata (codec setup, timings, sizes, frames).
        case opaque
        /// Read (at most 64 bytes) and checked when complete.
        case value
        /// A (Simple)Block: its leading track number must belong to a kept track.
        case block
        /// A Void: every content byte must be zero.
        case zeros
        /// CodecPrivate: read up to `setupLimit`; a Vorbis track's comment header must be empty.
        case setup
    }

    /// (ID, how) pairs, so the table reads like the file.
    private static func rules(_ pairs: [(UInt32, Read)]) -> [UInt32: Read] {
        var table: [UInt32: Read] = [0xEC: .zeros]
        for (id, read) in pairs { table[id] = read }
        return table
    }

    private static func opaque(_ ids: [UInt32]) -> [(UInt32, Read)] { ids.map { ($0, .opaque) } }

    /// nil stands for the top level of the file.
    static let allowed: [UInt32?: [UInt32: Read]] = [
        nil: rules([(0x1A45_DFA3, .children), (0x1853_8067, .children)]),
        0x1A45_DFA3: rules([
            (0x4286, .opaque), (0x42F7, .value), (0x42F2, .value), (0x42F3, .value), (0x4282, .value), (0x4287, .opaque), (0x4285, .value),
        ]),
        0x1853_8067: rules([
            (0x114D_9B74, .children), (0x1549_A966, .children), (0x1654_AE6B, .children), (0x1F43_B675, .children), (0x1C53_BB6B, .children),
        ]),
        0x114D_9B74: rules([(0x4DBB, .children)]),
        0x4DBB: rules([(0x53AB, .value), (0x53AC, .opaque)]),
        0x1549_A966: rules([(0x2A_D7B1, .opaque), (0x4489, .opaque), (0x4D80, .value), (0x5741, .value)]),
        0x1654_AE6B: rules([(0xAE, .children)]),
        0xAE: rules(
            [(0xD7, .value), (0x83, .value), (0x86, .value), (0x63A2, .setup), (0xE0, .children), (0xE1, .children)]
                + opaque([
                    0x73C5, 0xB9, 0x88, 0x55AA, 0x55AB, 0x55AC, 0x55AD, 0x55AE, 0x55AF, 0x9C, 0x6DE7, 0x6DF8, 0x23_E383, 0x23_4E7A, 0x23_314F,
                    0x55EE, 0x22_B59C, 0x22_B59D, 0x56AA, 0x56BB, 0xAA,
                ])),
        0xE0: rules(
            [(0x55B0, .children), (0x7670, .children)]
                + opaque([
                    0x9A, 0x9D, 0x53B8, 0x53C0, 0xB0, 0xBA, 0x54AA, 0x54BB, 0x54CC, 0x54DD, 0x54B0, 0x54BA, 0x54B2, 0x54B3, 0x2E_B524, 0x23_83E3,
                ])),
        0x55B0: rules([(0x55D0, .children)] + opaque(Array(0x55B1...0x55BD))),
        0x55D0: rules(opaque(Array(0x55D1...0x55DA))),
        0x7670: rules(opaque([0x7671, 0x7672, 0x7673, 0x7674, 0x7675])),
        0xE1: rules(opaque([0xB5, 0x78B5, 0x9F, 0x7D7B, 0x6264, 0x52F1])),
        0x1F43_B675: rules([(0xA3, .block), (0xA0, .children)] + opaque([0xE7, 0xA7, 0xAB])),
        0xA0: rules([(0xA1, .block)] + opaque([0x9B, 0xFA, 0xFB, 0x75A2])),
        0x1C53_BB6B: rules([(0xBB, .children)]),
        0xBB: rules([(0xB3, .opaque), (0xB7, .children)]),
        0xB7: rules([(0xF7, .value), (0xDB, .children)] + opaque([0xF1, 0xF0, 0xB2, 0x5378, 0xEA])),
        0xDB: rules(opaque([0x96])),
    ]

    /// Seek entries may only point at elements a scrubbed file still has.
    static let seekable: Set<UInt32> = [0x114D_9B74, 0x1549_A966, 0x1654_AE6B, 0x1C53_BB6B, 0x1F43_B675]
    /// Elements that end an unknown-size Cluster by starting.
    static let clusterEnders: Set<UInt32> = [0x114D_9B74, 0x1549_A966, 0x1654_AE6B, 0x1F43_B675, 0x1C53_BB6B, 0x1254_C367, 0x1941_A469, 0x1043_A770]
    static let kept: [UInt64: Set<String>] = [1: ["V_VP8", "V_VP9"], 2: ["A_OPUS", "A_VORBIS"]]
    /// MuxingApp and WritingApp: this text cut to the element's size, then NULs.
    static let app: [UInt8] = Array("Tipline".utf8)
    static let setupLimit = 1 << 20
    /// Opaque fields allowed past 8 bytes: ProjectionPrivate and the two language codes.
    static let longOpaque: [UInt32: Int] = [0x7672: 64, 0x22_B59C: 64, 0x22_B59D: 64]
    static let opusHead: [UInt8] = [0x4F, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64]
    /// A Vorbis comment header with no vendor and no fields, then its framing bit.
    static let blankVorbisComment: [UInt8] = [0x03, 0x76, 0x6F, 0x72, 0x62, 0x69, 0x73, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]
}
