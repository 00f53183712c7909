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

    public var description: String {
        switch self {
        case .unsupportedFormat:
            "not a supported image (JPEG, PNG, WebP, GIF, HEIC/AVIF or TIFF); the file was not stored"
        case .formatNotAccepted(let f):
            "\(f.rawValue.uppercased()) files are not accepted by this deployment's policy; the file was not stored"
        case .empty:
            "the file is empty; nothing was stored"
        case .tooLarge(let limit):
            "the file is larger than the \(limit)-byte limit; nothing was stored"
        case .malformed(let f, let offset, let reason):
            "\(f.rawValue.uppercased()) is malformed at byte \(offset): \(reason); re-export the picture and try again"
        case .truncated(let f, let offset):
            "\(f.rawValue.uppercased()) ends early at byte \(offset); the upload may be incomplete, try again"
        case .unsupportedLayout(let f, let reason):
            "\(f.rawValue.uppercased()) uses a layout Tipline cannot scrub safely (\(reason)); re-save it with an image editor, or convert it to PNG, and try again"
        case .verificationFailed(let f, let reason):
            "\(f.rawValue.uppercased()) could not be made safe (\(reason)); the file was not stored"
        }
    }
}
