/// Every failure TiplineCrypto reports. Messages say what went wrong and what to try, and never
/// carry plaintext, receipts or key bytes: callers may log or show them as they are.
public enum CryptoError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidKeyLength(expected: Int, got: Int)
    case malformedKeyText
    case sealedBoxOpenFailed
    case notARecipient
    case malformedStreamHeader
    case chunkAuthenticationFailed(chunkIndex: Int)
    case streamTruncated
    case trailingData
    case invalidPadding
    case unexpectedChunkTag(chunkIndex: Int)
    case unsupportedEnvelopeVersion(UInt8)
    case malformedEnvelope(reason: String)
    case receiptMalformed(reason: String)
    case receiptCheckMismatch
    case keyDerivationFailed
    case invalidArgon2Cost(reason: String)
    case invalidSaltLength(expected: Int, got: Int)
    case wrongPassphrase
    case malformedWrappedKey
    case outOfMemory

    public var description: String {
        switch self {
        case .invalidKeyLength(let expected, let got):
            return "key has \(got) bytes, expected \(expected); check that the right key file was given"
        case .malformedKeyText:
            return "key text is not a Tipline public key (expected one line starting with "
                + "\"\(AgencyPublicKey.textPrefix)\")"
        case .sealedBoxOpenFailed:
            return "sealed box did not open: it was made for another key or was altered"
        case .notARecipient:
            return "this key is not among the envelope's recipients; use a key the tip was sealed to"
        case .malformedStreamHeader:
            return "encrypted part is too short to hold its stream header"
        case .chunkAuthenticationFailed(let index):
            return "encrypted chunk \(index) failed authentication: the data was altered, "
                + "reordered, or the wrong key was used"
        case .streamTruncated:
            return "encrypted part ends early: its final chunk is missing"
        case .trailingData:
            return "encrypted part has bytes after its final chunk"
        case .invalidPadding:
            return "encrypted part decrypted but its padding is not well-formed"
        case .unexpectedChunkTag(let index):
            return "encrypted chunk \(index) carries a tag this format never writes"
        case .unsupportedEnvelopeVersion(let version):
            return "envelope version \(version) is not supported by this build (supports 1)"
        case .malformedEnvelope(let reason):
            return "envelope header is malformed: \(reason)"
        case .receiptMalformed(let reason):
            return "receipt not recognised: \(reason); check it was copied completely"
        case .receiptCheckMismatch:
            return "receipt check character does not match; a character was probably mistyped"
        case .keyDerivationFailed:
            return "key derivation failed (Argon2id could not allocate its memory?)"
        case .invalidArgon2Cost(let reason):
            return "Argon2id cost rejected: \(reason)"
        case .invalidSaltLength(let expected, let got):
            return "deployment salt has \(got) bytes, expected \(expected)"
        case .wrongPassphrase:
            return "wrong passphrase for this wrapped key"
        case .malformedWrappedKey:
            return "wrapped key blob is malformed or from an unsupported version"
        case .outOfMemory:
            return "could not allocate locked memory for secret data"
        }
    }
}
