import TiplinePolicy

/// The explicit table from a sniffed format to the code that scrubs and verifies it.
/// A format missing here is refused, never passed through.
public enum FormatRegistry {
    /// Makes a fresh scrubber and verifier for one file.
    public struct Entry: Sendable {
        /// `package`: the fuzz harness drives one format's scrubber directly, past the sniffer.
        package let makeScrubber: @Sendable (ScrubOptions) -> any Scrubber
        package let makeVerifier: @Sendable (ScrubOptions) -> any OutputVerifier

        public init<S: Scrubber & SendableMetatype, V: OutputVerifier & SendableMetatype>(_ scrubber: S.Type, _ verifier: V.Type) {
            precondition(S.format == V.format, "a scrubber and its verifier must handle the same format")
            makeScrubber = { S(options: $0) }
            makeVerifier = { V(options: $0) }
        }
    }

    /// One line per format.
    public static let entries: [MediaFormat: Entry] = [
        .jpeg: Entry(JPEGScrubber.self, JPEGVerifier.self),
        .png: Entry(PNGScrubber.self, PNGVerifier.self),
        .gif: Entry(GIFScrubber.self, GIFVerifier.self),
        .webp: Entry(WebPScrubber.self, WebPVerifier.self),
        .heif: Entry(ISOBMFFScrubber.self, ISOBMFFVerifier.self),
        .tiff: Entry(TIFFScrubber.self, TIFFVerifier.self),
        .mp4: Entry(MovieScrubber.self, MovieVerifier.self),
        .wav: Entry(WAVScrubber.self, WAVVerifier.self),
        .flac: Entry(FLACScrubber.self, FLACVerifier.self),
        .mp3: Entry(MP3Scrubber.self, MP3Verifier.self),
        .ogg: Entry(OggScrubber.self, OggVerifier.self),
        .webm: Entry(WebMScrubber.self, WebMVerifier.self), .mkv: Entry(MatroskaScrubber.self, MatroskaVerifier.self),
    ]

    public static func entry(for format: MediaFormat) -> Entry? { entries[format] }
}
