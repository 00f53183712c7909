import TiplinePolicy

/// Every parser of untrusted bytes that has a libFuzzer entry point (`Fuzz/<Name>/main.swift`,
/// run by `make fuzz`). The same checks replay saved inputs under `swift test`, so a crash the
/// fuzzer found stays fixed.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case jpeg, png, gif, webp, tiff, heif, movie, wav, flac, mp3, ogg, webm
    /// The whole redaction session: sniffing, a leading ID3v2 tag, the chosen scrubber.
    case redactor
    case receipt, envelope, policy
    /// The streaming multipart/form-data reader of every submission.
    case multipart

    /// Checks one input. Throws when the code under test broke one of its promises; a refusal
    /// of bad input is not a violation, a crash or an invariant broken is.
    public func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        switch self {
        case .redactor: try RedactorProbe.check(input)
        case .receipt: try ReceiptProbe.check(input)
        case .envelope: try EnvelopeProbe.check(input)
        case .policy: try PolicyProbe.check(input)
        case .multipart: try MultipartProbe.check(input)
        default: try MediaProbe(format: mediaFormat!).check(input)
        }
    }

    /// The libFuzzer entry point's body: a violation stops the process so libFuzzer saves the input.
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        do throws(FuzzViolation) {
            try check(UnsafeRawBufferPointer(start: data, count: size))
        } catch {
            fatalError("\(rawValue): \(error.reason)")
        }
    }

    /// The format whose scrubber and verifier a media target drives directly.
    public var mediaFormat: MediaFormat? {
        switch self {
        case .jpeg: .jpeg
        case .png: .png
        case .gif: .gif
        case .webp: .webp
        case .tiff: .tiff
        case .heif: .heif
        case .movie: .mp4
        case .wav: .wav
        case .flac: .flac
        case .mp3: .mp3
        case .ogg: .ogg
        case .webm: .webm
        case .redactor, .receipt, .envelope, .policy, .multipart: nil
        }
    }
}

/// A promise the code under test broke for one input.
public struct FuzzViolation: Error, Equatable, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}
