import TiplinePolicy

/// Why a file could not be made safe. Messages say what is wrong and what the tipster can do;
/// they name offsets and structures, never a metadata value from the file.
public enum RedactionError: Error, Equatable, CustomStringConvertible {
    /// The magic bytes match no format Tipline can scrub.
    case unsupportedFormat
    /// A known format that this deployment's policy does not accept.
    case formatNotAccepted(MediaFormat)
    /// The file is empty.
    case empty
    /// The file is larger than the policy allows.
    case tooLarge(limit: Int)
    /// The file breaks its format's rules at `offset`.
    case malformed(MediaFormat, offset: Int, reason: String)
    /// The file ends before its format says it should.
    case truncated(MediaFormat, offset: Int)
    /// A valid file using a feature this scrubber does not handle; refused rather than passed through.
    case unsupportedLayout(MediaFormat, reason: String)
    /// The independent re-read of the output found something that must not remain.
    case verificationFailed(MediaFormat, reason: String)
    /// The file's structure holds together but its picture or sound would not decode (the
    /// verifier's own decodability check): refused rather than stored as a file nobody can open.
    case undecodable(MediaFormat, reason: String)
    /// Too many large files are being cleaned at once (`HeldBytesBudget`): not the tipster's
    /// fault and nothing was stored; the same upload succeeds after `retryAfterSeconds`.
    case busy(retryAfterSeconds: Int)
    /// The server could not hold the file while cleaning it (its temporary spool failed):
    /// not the tipster's fault, and nothing was stored.
    case spoolFailed(reason: String)

    public var description: String {
        switch self {
        case .unsupportedFormat:
            "not a supported photo, video or voice recording (photos: JPEG, PNG, WebP, GIF, HEIC/AVIF, TIFF; videos: MP4, MOV, 3GP, WebM, MKV; audio: M4A, MP3, WAV, FLAC, Ogg/Opus); the file was not stored"
        case .formatNotAccepted(let f):
            "\(f.rawValue.uppercased()) files are not accepted by this deployment's policy; the file was not stored"
        case .empty:
            "the file is empty; nothing was stored"
        case .tooLarge(let limit):
            "the file is larger than the \(limit)-byte limit; nothing was stored"
        case .malformed(let f, let offset, let reason):
            "\(f.rawValue.uppercased()) is malformed at byte \(offset): \(reason); \(f.kind.reExportAdvice)"
        case .truncated(let f, let offset):
            "\(f.rawValue.uppercased()) ends early at byte \(offset); the upload may be incomplete, try again"
        case .unsupportedLayout(let f, let reason):
            "\(f.rawValue.uppercased()) uses a layout Tipline cannot scrub safely (\(reason)); \(f.kind.convertAdvice)"
        case .spoolFailed(let reason):
            "the server could not process the file right now (\(reason)); nothing was stored, try again later"
        case .verificationFailed(let f, let reason):
            "\(f.rawValue.uppercased()) could not be made safe (\(reason)); the file was not stored"
        case .undecodable(let f, let reason):
            "\(f.rawValue.uppercased()) is damaged and would not open (\(reason)); the file was not stored; \(f.kind.reExportAdvice)"
        case .busy(let seconds):
            "the server is cleaning too many large files right now; nothing was stored, try again in \(seconds) seconds"
        }
    }
}

extension MediaKind {
    /// What a tipster can do about a damaged file of this kind.
    var reExportAdvice: String {
        switch self {
        case .image: "re-export the picture and try again"
        case .video: "export the video again from the phone's gallery and try again, or describe it in words"
        case .audio: "export the recording again from the recorder app and try again, or describe it in words"
        }
    }

    /// What a tipster can do about a valid file whose layout cannot be cleaned yet.
    var convertAdvice: String {
        switch self {
        case .image: "re-save it with an image editor, or convert it to PNG, and try again"
        case .video: "this video is in a format we cannot clean yet; export it again from the phone's gallery (MP4 or MOV), or describe it in words"
        case .audio: "this recording is in a format we cannot clean yet; export it again as M4A, MP3 or WAV, or describe it in words"
        }
    }
}
