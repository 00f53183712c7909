import TiplinePolicy

/// What `MatroskaScrubber` does with each element, by its ID (marker bits included, as the
/// bytes appear in the file) and its parent's. An allowlist: an element not named under its
/// parent is replaced by a Void of the same size, never passed through. IDs are from the
/// Matroska specification (RFC 9559) and the EBML header (RFC 8794).
enum MatroskaScrubSchema {
    /// The scrubber's instruction for one element.
    enum Action: Equatable {
        /// A master element whose children are judged one by one.
        case descend
        /// A master held (output withheld) until its end, or for blocks until the track is
        /// known, then kept or voided whole: track entries, block groups, seek and cue entries.
        case hold
        /// A leaf copied byte for byte.
        case copy
        /// A leaf copied, its value (at most `valueLimit` bytes) read to decide or report.
        case collect
        /// A SimpleBlock or Block: kept only if its track number (the first bytes) is kept.
        case block
        /// Replaced by a Void of the same size. `inspect`: the children are still read (names
        /// of tags, media types of attachments) to say what was removed; never copied.
        case void(MetadataCategory?, inspect: Bool)
        /// A Void: its header kept, its content zeroed (old data hides in Voids).
        case zeroVoid
        /// MuxingApp / WritingApp: the value becomes the constant, NUL-padded to the same size.
        case constant
        /// Copied while its track entry is read; the file is refused if that track stays.
        case refuseIfKept(String)
        case refuse(String)
    }

    static let valueLimit = 256
    /// Copied fields that may be longer than a number's 8 bytes, and how long (CodecPrivate is
    /// bounded per codec when the track entry ends).
    static let longCopied: [UInt32: Int] = [0x63A2: Int.max, 0x7672: 64, 0x22_B59C: 64, 0x22_B59D: 64]
    /// Largest CodecPrivate per kept codec: VP8/VP9 codec features, OpusHead with a channel mapping.
    static let codecPrivateLimit: [String: Int] = ["V_VP8": 64, "V_VP9": 64, "A_OPUS": 19 + 2 + 255, "A_VORBIS": 1 << 20]

    static let ebml: UInt32 = 0x1A45_DFA3
    static let segment: UInt32 = 0x1853_8067
    static let seekHead: UInt32 = 0x114D_9B74
    static let seek: UInt32 = 0x4DBB
    static let seekID: UInt32 = 0x53AB
    static let info: UInt32 = 0x1549_A966
    static let tracks: UInt32 = 0x1654_AE6B
    static let trackEntry: UInt32 = 0xAE
    static let trackNumber: UInt32 = 0xD7
    static let trackType: UInt32 = 0x83
    static let codecID: UInt32 = 0x86
    static let contentEncodings: UInt32 = 0x6D80
    static let trackOperation: UInt32 = 0xE2
    static let video: UInt32 = 0xE0
    static let audio: UInt32 = 0xE1
    static let colour: UInt32 = 0x55B0
    static let masteringMetadata: UInt32 = 0x55D0
    static let projection: UInt32 = 0x7670
    static let cluster: UInt32 = 0x1F43_B675
    static let simpleBlock: UInt32 = 0xA3
    static let blockGroup: UInt32 = 0xA0
    static let block: UInt32 = 0xA1
    static let cues: UInt32 = 0x1C53_BB6B
    static let cuePoint: UInt32 = 0xBB
    static let cueTrackPositions: UInt32 = 0xB7
    static let cueTrack: UInt32 = 0xF7
    static let cueReference: UInt32 = 0xDB
    static let tags: UInt32 = 0x1254_C367
    static let tag: UInt32 = 0x7373
    static let simpleTag: UInt32 = 0x67C8
    static let tagName: UInt32 = 0x45A3
    static let attachments: UInt32 = 0x1941_A469
    static let attachedFile: UInt32 = 0x61A7
    static let fileMediaType: UInt32 = 0x4660
    static let chapters: UInt32 = 0x1043_A770
    static let void: UInt32 = 0xEC
    static let crc32: UInt32 = 0xBF
    static let docType: UInt32 = 0x4282
    static let ebmlReadVersion: UInt32 = 0x42F7
    static let maxIDLength: UInt32 = 0x42F2
    static let maxSizeLength: UInt32 = 0x42F3
    static let docTypeReadVersion: UInt32 = 0x4285

    /// Only these two may have an unknown size (live recordings: MediaRecorder, `-live 1`).
    static let unknownSizeAllowed: Set<UInt32> = [segment, cluster]

    /// The Segment's children: an ID among these ends an unknown-size Cluster.
    static let segmentLevel: Set<UInt32> = [seekHead, info, tracks, cluster, cues, tags, attachments, chapters, ebml, segment]

    /// Copied fields read on the way for `MediaFacts`: TimestampScale, Duration, PixelWidth, PixelHeight.
    static let facts: Set<UInt32> = [0x2A_D7B1, 0x4489, 0xB0, 0xBA]

    /// Seek entries are kept only when they point at an element that stays.
    static let seekTargetsKept: Set<UInt32> = [seekHead, info, tracks, cues, cluster]

    static let copied: [UInt32: Set<UInt32>] = [
        ebml: [0x4286, 0x4287],
        seek: [0x53AC],
        info: [0x2A_D7B1, 0x4489],
        trackEntry: [
            0x73C5, 0xB9, 0x88, 0x55AA, 0x55AB, 0x55AC, 0x55AD, 0x55AE, 0x55AF, 0x9C, 0x6DE7, 0x6DF8, 0x23_E383, 0x23_4E7A,
            0x23_314F, 0x55EE, 0x22_B59C, 0x22_B59D, 0x63A2, 0x56AA, 0x56BB, 0xAA,
        ],
        video: [
            0x9A, 0x9D, 0x53B8, 0x53C0, 0xB0, 0xBA, 0x54AA, 0x54BB, 0x54CC, 0x54DD, 0x54B0, 0x54BA, 0x54B2, 0x54B3, 0x2E_B524,
            0x23_83E3,
        ],
        colour: Set((0x55B1...0x55BD).map { UInt32($0) }),
        masteringMetadata: Set((0x55D1...0x55DA).map { UInt32($0) }),
        projection: [0x7671, 0x7672, 0x7673, 0x7674, 0x7675],
        audio: [0xB5, 0x78B5, 0x9F, 0x7D7B, 0x6264, 0x52F1],
        cluster: [0xE7, 0xA7, 0xAB],
        blockGroup: [0x9B, 0xFA, 0xFB, 0x75A2],
        cuePoint: [0xB3],
        cueTrackPositions: [0xF1, 0xF0, 0xB2, 0x5378, 0xEA],
        cueReference: [0x96],
    ]

    /// Info children removed, and what the report calls them.
    static let infoRemoved: [UInt32: MetadataCategory] = [
        0x7BA9: .authorship,  // Title
        0x4461: .timestamps,  // DateUTC
        0x73A4: .other, 0x7384: .other, 0x3C_B923: .other, 0x3C_83AB: .other, 0x3E_B923: .other, 0x3E_83BB: .other,
        0x4444: .other, 0x6924: .other,  // segment UIDs, file names, family, chapter translation
    ]

    static func action(for id: UInt32, parent: UInt32?, inspecting: Bool) -> Action {
        if inspecting { return inspectAction(for: id) }
        if id == void { return .zeroVoid }
        if id == crc32 { return .void(nil, inspect: false) }  // covers bytes that may now change
        guard let parent else {
            return id == ebml || id == segment ? .descend : .refuse("an element other than the EBML header and a Segment at the top level")
        }
        if copied[parent]?.contains(id) == true { return .copy }
        switch (parent, id) {
        case (ebml, docType), (ebml, ebmlReadVersion), (ebml, maxIDLength), (ebml, maxSizeLength), (ebml, docTypeReadVersion):
            return .collect
        case (segment, seekHead), (segment, info), (segment, tracks), (segment, cluster), (segment, cues), (trackEntry, video), (trackEntry, audio),
            (video, colour), (video, projection),
            (colour, masteringMetadata), (cues, cuePoint), (cueTrackPositions, cueReference):
            return .descend
        case (segment, tags): return .void(nil, inspect: true)
        case (segment, attachments): return .void(.other, inspect: true)
        case (segment, chapters): return .void(.otherTracks, inspect: false)
        case (seekHead, _) where id != seek: return .void(nil, inspect: false)
        case (seek, seekID), (trackEntry, trackNumber), (trackEntry, trackType), (trackEntry, codecID), (cueTrackPositions, cueTrack):
            return .collect
        case (blockGroup, block), (cluster, simpleBlock): return .block
        case (cluster, blockGroup), (cuePoint, cueTrackPositions), (seekHead, seek), (tracks, trackEntry): return .hold
        case (cluster, 0xAF): return .refuse("an encrypted block")
        case (blockGroup, 0x75A1): return .refuse("block additions (an alpha channel or other side data)")
        case (info, 0x4D80), (info, 0x5741): return .constant
        case (info, _): return .void(infoRemoved[id] ?? .other, inspect: false)
        case (trackEntry, 0x536E): return .void(.comment, inspect: false)  // Name
        case (trackEntry, 0x25_8688): return .void(.editing, inspect: false)  // CodecName
        case (trackEntry, contentEncodings): return .refuseIfKept("compressed or encrypted track content")
        case (trackEntry, trackOperation): return .refuseIfKept("a track combined from other tracks (3D or joined)")
        default: return .void(.other, inspect: false)
        }
    }

    /// Inside a removed Tags or Attachments element: only what names the removed content is read.
    private static func inspectAction(for id: UInt32) -> Action {
        switch id {
        case tag, simpleTag, attachedFile: .descend
        case tagName, fileMediaType: .collect
        default: .void(nil, inspect: false)
        }
    }

    /// What a removed tag held, by its name (Matroska tag names, upper case by convention).
    static func category(ofTag name: String) -> MetadataCategory {
        let n = name.uppercased()
        if n.contains("LOCATION") || n.contains("GPS") || n.contains("COORDINATES") { return .location }
        if n.contains("DATE") || n.contains("TIME") || n == "YEAR" { return .timestamps }
        if n.hasPrefix("ENCODE") || n.hasPrefix("ENCODER") || n == "HANDLER_NAME" || n == "VENDOR_ID" { return .editing }
        if n.contains("MAKE") || n.contains("MODEL") || n.contains("DEVICE") || n.contains("SERIAL") { return .device }
        if ["ARTIST", "TITLE", "AUTHOR", "COMPOSER", "COPYRIGHT", "PERFORMER", "DIRECTOR", "PRODUCER", "PUBLISHER"].contains(n) {
            return .authorship
        }
        if ["COMMENT", "DESCRIPTION", "SUMMARY", "SYNOPSIS", "KEYWORDS", "LYRICS"].contains(n) { return .comment }
        if n.contains("COVER") || n.contains("THUMBNAIL") { return .thumbnail }
        return .other
    }
}
