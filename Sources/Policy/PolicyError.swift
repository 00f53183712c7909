/// Why a policy file was rejected. Every case names the offending key so the operator
/// can fix the file without guessing.
public enum PolicyError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notYAML(reason: String)
    case notAMapping(key: String)
    case unknownKey(String)
    case wrongType(key: String, expected: String)
    case outOfRange(key: String, reason: String)
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read policy file \(path): \(reason)"
        case .notYAML(let reason): "policy is not valid YAML: \(reason)"
        case .notAMapping(let key): "policy key `\(key)` must be a mapping of keys to values"
        case .unknownKey(let key): "unknown policy key `\(key)` (check its spelling against policies/default.yaml)"
        case .wrongType(let key, let expected): "policy key `\(key)` must be \(expected)"
        case .outOfRange(let key, let reason): "policy key `\(key)` \(reason)"
        case .unsupportedVersion(let v): "policy `version` \(v) is not supported; this Tipline reads version 1"
        }
    }
}
