/// A tip's id: 16 random bytes written as 26 lowercase Crockford base32 characters. Random,
/// so ids say nothing about arrival order or the number of tips; investigators may type any
/// unique prefix of 4 or more characters.
public struct TipID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let text: String

    /// A fresh id from the system CSPRNG (`getrandom` on Linux).
    public static func random() -> TipID {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return TipID(unchecked: Base32.encode(bytes))
    }

    /// Accepts a stored id; nil for anything that is not 26 base32 characters.
    public init?(_ text: String) {
        let lower = text.lowercased()
        guard lower.count == 26, lower.allSatisfy({ Base32.alphabet.contains($0) }) else { return nil }
        self.text = lower
    }

    init(unchecked text: String) { self.text = text }

    public var description: String { text }
    /// The first 10 characters: what `tipvault list` shows (50 bits, unique in any real vault).
    public var short: String { String(text.prefix(10)) }
    public static func < (a: TipID, b: TipID) -> Bool { a.text < b.text }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = TipID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a tip id"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// Crockford base32 without check character, lowercase (no i, l, o, u).
enum Base32 {
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    static func encode(_ bytes: [UInt8]) -> String {
        var out = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[(buffer >> bits) & 31])
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}
