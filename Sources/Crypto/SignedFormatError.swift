/// Failures of the signed formats of the investigator service (FORMAT.md §12–14): keys'
/// signatures, rosters and request signatures. Kept apart from `CryptoError` only so this
/// slice adds cases without touching that file; messages carry no key bytes or names.
public enum SignedFormatError: Error, Equatable, CustomStringConvertible, Sendable {
    case malformedRoster(reason: String)
    case rosterSignatureInvalid
    case rosterSignerNotAdmin
    case rosterSequenceNotHigher(current: UInt64, offered: UInt64)
    case malformedRequestSignature(reason: String)

    public var description: String {
        switch self {
        case .malformedRoster(let reason):
            return "roster is malformed: \(reason)"
        case .rosterSignatureInvalid:
            return "roster signature does not verify under the key it names"
        case .rosterSignerNotAdmin:
            return "roster is signed by a key that is neither a pinned admin key nor an admin of the current roster"
        case .rosterSequenceNotHigher(let current, let offered):
            return "roster sequence \(offered) is not higher than the current \(current); an old roster cannot be replayed"
        case .malformedRequestSignature(let reason):
            return "request signature is malformed: \(reason)"
        }
    }
}
