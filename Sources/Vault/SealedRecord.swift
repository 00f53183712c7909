import Foundation
import TiplineCrypto

/// The plaintext of a sealed triage event or tipster notice (FORMAT.md §11): compact JSON,
/// then ASCII spaces up to `Padding.recordLength`. JSON allows trailing whitespace, so any
/// JSON reader (the intake server's notice reader included) still parses a padded record;
/// the JSON's `version` says which form it is: 1 unpadded (vaults written before padding,
/// still read), 2 padded (all that is written now).
enum SealedRecord {
    static let unpaddedVersion = 1
    static let paddedVersion = 2
    static let space = UInt8(ascii: " ")

    /// JSON of `value` (sorted keys) padded to its bucket.
    static func padded(_ value: some Encodable) throws(VaultError) -> [UInt8] {
        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            json = Array(try encoder.encode(value))
        } catch {
            throw .database(operation: "encoding a record", reason: "JSON encoding failed")
        }
        return json + [UInt8](repeating: space, count: Padding.recordLength(json.count) - json.count)
    }

    /// The JSON of an opened record without its padding, or nil when the padding does not
    /// match `version`: a v2 record must be exactly its bucket long, a v1 record unpadded.
    static func json(_ plain: [UInt8], version: Int) -> [UInt8]? {
        var end = plain.count
        while end > 0 && plain[end - 1] == space { end -= 1 }
        switch version {
        case unpaddedVersion: return end == plain.count ? plain : nil
        case paddedVersion: return Padding.recordLength(end) == plain.count ? Array(plain[..<end]) : nil
        default: return nil
        }
    }
}

extension SealedRecord {
    /// Decodes an opened event or notice and checks its padding against its own version;
    /// nil for anything else (not JSON, unknown version, padding that does not fit).
    static func decode<T: Decodable & VersionedRecord>(_ type: T.Type, from plain: [UInt8]) -> T? {
        var end = plain.count
        while end > 0 && plain[end - 1] == space { end -= 1 }
        guard let value = try? JSONDecoder().decode(T.self, from: Data(plain[..<end])),
            json(plain, version: value.recordVersion) != nil
        else { return nil }
        return value
    }
}

/// A sealed record that says which form (padded or not) it was written in.
protocol VersionedRecord { var recordVersion: Int { get } }

extension TriageEvent: VersionedRecord { var recordVersion: Int { version } }
extension TipsterNotice: VersionedRecord { var recordVersion: Int { version ?? SealedRecord.unpaddedVersion } }
