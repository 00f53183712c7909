/// Who may use the investigator service (FORMAT.md §13): names, Ed25519 public keys and roles,
/// with a sequence number that only ever grows, so an old roster cannot be replayed to
/// re-admit someone. An admin signs it; the server keeps it and checks requests against it
/// but cannot write one investigators or the server itself would accept.
public struct Roster: Sendable, Equatable {
    /// FORMAT.md §13.1: the first line of every roster.
    public static let magicLine = "tipline-roster-v1"
    /// Names are short and plain so every roster has exactly one spelling.
    static let maxNameLength = 32
    static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789._-".utf8)

    public enum Role: String, Sendable, CaseIterable {
        /// May also replace the roster and purge.
        case admin
        case investigator
        /// Removed: kept listed so the server answers 403 (not 401) and clients show why.
        case revoked
    }

    public struct Member: Sendable, Equatable {
        public let name: String
        public let key: InvestigatorPublicKey
        public let role: Role

        public init(name: String, key: InvestigatorPublicKey, role: Role) {
            self.name = name
            self.key = key
            self.role = role
        }
    }

    public let sequence: UInt64
    /// Sorted by name: the canonical order.
    public let members: [Member]

    /// Checks names (1–32 of `a-z 0-9 . _ -`), unique names and keys, and a sequence ≥ 1.
    public init(sequence: UInt64, members: [Member]) throws(SignedFormatError) {
        guard sequence >= 1, sequence <= UInt64(Int64.max) else { throw .malformedRoster(reason: "sequence out of range") }
        let sorted = members.sorted { $0.name < $1.name }
        for member in sorted {
            let bytes = Array(member.name.utf8)
            guard (1...Self.maxNameLength).contains(bytes.count), bytes.allSatisfy(Self.nameCharacters.contains) else {
                throw .malformedRoster(reason: "a name is empty, too long or has characters other than a-z 0-9 . _ -")
            }
        }
        guard Set(sorted.map(\.name)).count == sorted.count else { throw .malformedRoster(reason: "a name is listed twice") }
        guard Set(sorted.map(\.key)).count == sorted.count else { throw .malformedRoster(reason: "a key is listed twice") }
        self.sequence = sequence
        self.members = sorted
    }

    public func member(for key: InvestigatorPublicKey) -> Member? { members.first { $0.key == key } }

    /// The canonical text before the signature lines: magic, sequence, one line per member.
    var body: String {
        var text = Self.magicLine + "\nsequence \(sequence)\n"
        for member in members { text += "member \(member.role.rawValue) \(member.name) \(member.key.text)\n" }
        return text
    }

    /// Signs the roster; the result's `bytes` is the `roster.signed` file.
    public func signed(by key: InvestigatorSigningKey) -> SignedRoster {
        let message = Array((body + "signed-by \(key.publicKey.text)\n").utf8)
        let signature = key.sign(message)
        return SignedRoster(roster: self, signer: key.publicKey, signature: signature)
    }
}

/// A roster with its admin signature: exactly the bytes of `roster.signed` (FORMAT.md §13.1).
public struct SignedRoster: Sendable, Equatable {
    public let roster: Roster
    public let signer: InvestigatorPublicKey
    public let signature: [UInt8]

    init(roster: Roster, signer: InvestigatorPublicKey, signature: [UInt8]) {
        self.roster = roster
        self.signer = signer
        self.signature = signature
    }

    /// The file's bytes; signed are all of them up to and including the `signed-by` line.
    public var bytes: [UInt8] {
        Array((roster.body + "signed-by \(signer.text)\nsignature \(Encoding.base64(signature))\n").utf8)
    }

    /// Parses and verifies the signature under the key it names. Whether that key may sign a
    /// roster is `RosterAuthority`'s question. Rejects any spelling but the canonical one
    /// (re-encoding must give the same bytes), so one roster has one byte form.
    public init(bytes: [UInt8]) throws(SignedFormatError) {
        guard bytes.count <= 1 << 20 else { throw .malformedRoster(reason: "larger than 1 MiB") }
        guard let text = String(validating: bytes, as: UTF8.self), text.hasSuffix("\n") else {
            throw .malformedRoster(reason: "not UTF-8 lines ending in a newline")
        }
        var lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines[0] == Roster.magicLine else { throw .malformedRoster(reason: "unknown version line") }
        guard lines[1].hasPrefix("sequence "), let sequence = UInt64(lines[1].dropFirst("sequence ".count)) else {
            throw .malformedRoster(reason: "the sequence line is missing")
        }
        let signatureLine = lines.removeLast()
        let signerLine = lines.removeLast()
        guard signerLine.hasPrefix("signed-by "), signatureLine.hasPrefix("signature "),
            let signer = try? InvestigatorPublicKey(text: signerLine.dropFirst("signed-by ".count)),
            let signature = Encoding.base64Decode(String(signatureLine.dropFirst("signature ".count)), maxLength: 96),
            signature.count == Sign.signatureBytes
        else { throw .malformedRoster(reason: "the signed-by or signature line is malformed") }
        var members: [Roster.Member] = []
        for line in lines.dropFirst(2) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 4, fields[0] == "member", let role = Roster.Role(rawValue: String(fields[1])),
                let key = try? InvestigatorPublicKey(text: fields[3])
            else { throw .malformedRoster(reason: "a member line is malformed") }
            members.append(Roster.Member(name: String(fields[2]), key: key, role: role))
        }
        let roster = try Roster(sequence: sequence, members: members)
        self.init(roster: roster, signer: signer, signature: signature)
        guard self.bytes == bytes else { throw .malformedRoster(reason: "not in canonical form (order, spacing or number spelling)") }
        let message = Array((roster.body + "signed-by \(signer.text)\n").utf8)
        guard signer.verifies(signature, of: message) else { throw .rosterSignatureInvalid }
    }
}

/// Decides whether a verified roster may replace the current one (FORMAT.md §13.2): its
/// signer is a pinned admin key (`admin.pub`) not revoked by the current roster, or an admin
/// of the current roster; and its sequence is higher than the current one.
public enum RosterAuthority {
    public static func check(
        _ offered: SignedRoster, current: SignedRoster?, pinnedAdmins: [InvestigatorPublicKey]
    ) throws(SignedFormatError) {
        let role = current?.roster.member(for: offered.signer)?.role
        let pinned = pinnedAdmins.contains(offered.signer) && role != .revoked
        guard pinned || role == .admin else { throw .rosterSignerNotAdmin }
        if let current, offered.roster.sequence <= current.roster.sequence {
            throw .rosterSequenceNotHigher(current: current.roster.sequence, offered: offered.roster.sequence)
        }
    }

    /// Parses `admin.pub`: one `tipline-investigator-pk-v1:` key a line, at least one.
    public static func pinnedAdmins(text: String) throws(CryptoError) -> [InvestigatorPublicKey] {
        var keys: [InvestigatorPublicKey] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            keys.append(try InvestigatorPublicKey(text: line))
        }
        guard !keys.isEmpty else { throw .malformedKeyText }
        return keys
    }
}
