import TiplinePolicy

/// One image format's scrubber. Push-based so the same code runs from a file (CLI), from an
/// HTTP body arriving in pieces (intake), or from a test's byte array: `consume` may be called
/// with pieces of any size, including 1 byte, and must keep only a bounded amount buffered
/// (one segment/chunk header, never the whole file) except for formats that need random access
/// (TIFF, ISOBMFF), which buffer up to `ScrubOptions.maxFileBytes` and do their work in `finish`.
///
/// A scrubber never re-encodes pixels: it copies the bytes that decode the image and drops or
/// neutralises everything else. Anything it does not understand is an error, never a pass-through.
public protocol Scrubber {
    static var format: MediaFormat { get }
    init(options: ScrubOptions)
    /// Feeds the next piece of the original file; appends clean bytes to `output`.
    mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError)
    /// End of input: appends the remaining clean bytes and says what was removed and kept.
    mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary
    /// End of input for scrubbers whose last output is large (a rebuilt movie): hands the clean
    /// bytes out in bounded pieces instead of one array. Defaults to `finish(into:)`.
    mutating func finish(emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) -> ScrubSummary
}

extension Scrubber {
    public mutating func finish(emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) -> ScrubSummary {
        var out: [UInt8] = []
        let summary = try finish(into: &out)
        if !out.isEmpty { try out.withRawBytes { (raw) throws(RedactionError) in try emit(raw) } }
        return summary
    }
}

/// A scrubber of a format it must hold whole (TIFF, WebP, HEIF): it hands its clean file over
/// as one array, which the verifier and the caller then share instead of each copying it.
public protocol WholeFileScrubber: Scrubber {
    /// End of input: the whole clean file, and what was removed and kept.
    mutating func finishWhole() throws(RedactionError) -> (output: [UInt8], summary: ScrubSummary)
}

extension WholeFileScrubber {
    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        let (clean, summary) = try finishWhole()
        if output.isEmpty { output = clean } else { output += clean }
        return summary
    }
}

/// A verifier that reads a whole output handed to it (shared, not copied) rather than pieces.
public protocol WholeFileVerifier: OutputVerifier {
    /// Verifies `output` as the complete file; equivalent to `consume` then `finish`.
    mutating func verify(whole output: [UInt8]) throws(RedactionError)
}

/// An independent second reader of a scrubber's *output*. It shares no parsing code with the
/// scrubber, so a bug in one is caught by the other. Fails if any identifying item remains.
public protocol OutputVerifier {
    static var format: MediaFormat { get }
    init(options: ScrubOptions)
    mutating func consume(_ output: UnsafeRawBufferPointer) throws(RedactionError)
    mutating func finish() throws(RedactionError)
}

/// Per-file options: the policy's choices plus the tipster's opt-ins for this file.
public struct ScrubOptions: Sendable, Equatable {
    public var keepICCProfile: Bool
    public var keepOrientation: Bool
    /// Only true when the policy allows it and the tipster ticked the box for this file.
    public var keepLocation: Bool
    public var keepCaptureDate: Bool
    public var maxFileBytes: Int
    /// Where a movie's media data waits until its index has been read.
    public var spool: SpoolMaker
    /// What a scrubber that holds a whole file claims its bytes from.
    public var heldBytes: HeldBytesBudget

    public init(
        keepICCProfile: Bool = true, keepOrientation: Bool = true, keepLocation: Bool = false,
        keepCaptureDate: Bool = false, maxFileBytes: Int = 100 * 1024 * 1024, spool: SpoolMaker = .memory,
        heldBytes: HeldBytesBudget = .shared
    ) {
        self.keepICCProfile = keepICCProfile
        self.keepOrientation = keepOrientation
        self.keepLocation = keepLocation
        self.keepCaptureDate = keepCaptureDate
        self.maxFileBytes = maxFileBytes
        self.spool = spool
        self.heldBytes = heldBytes
    }
}

/// What a scrubber removed and kept, by category only: a summary never carries a removed value.
public struct ScrubSummary: Sendable, Equatable {
    public var removed: Set<MetadataCategory> = []
    public var kept: Set<KeptItem> = []
    public var facts = MediaFacts()
    public init(removed: Set<MetadataCategory> = [], kept: Set<KeptItem> = [], facts: MediaFacts = MediaFacts()) {
        self.removed = removed
        self.kept = kept
        self.facts = facts
    }
}

/// Kinds of identifying metadata, as told to the tipster ("location removed").
public enum MetadataCategory: String, Sendable, Codable, CaseIterable, Comparable {
    case location, device, timestamps, authorship, thumbnail, comment, trailer, editing, other
    /// Tracks that are not the picture or the sound: GPS/telemetry, subtitles, timecode, chapters.
    case otherTracks = "other-tracks"
    /// A recording's transcript (iOS Voice Memos keep one).
    case transcript
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Things deliberately kept because the picture needs them.
public enum KeptItem: String, Sendable, Codable, CaseIterable, Comparable {
    case orientation, colorProfile = "color-profile", animation, location, captureDate = "capture-date"
    case video, audio
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

extension [UInt8] {
    /// Appends the next piece of a file that a scrubber or verifier must hold whole for random
    /// access (TIFF, HEIF, WebP), refusing to grow past the policy's `limit`.
    mutating func appendHeldWhole(_ piece: UnsafeRawBufferPointer, limit: Int) throws(RedactionError) {
        guard piece.count <= limit - count else { throw .tooLarge(limit: limit) }
        append(contentsOf: piece)
    }
}
