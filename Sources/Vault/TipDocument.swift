import Foundation

/// Plaintext (JSON, versioned) of `EnvelopePart.document` for a tip or a follow-up. The intake
/// server writes it, `tipvault` reads it; it lives here because both need it.
public struct TipDocument: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    public var kind: Kind
    public var message: String
    /// Tips only.
    public var category: String?
    /// Answers to the policy's optional questions, by question.
    public var answers: [String: String]
    /// Tips only: the tipster's `ReplyPublicKey` bytes (base64 in JSON).
    public var replyPublicKey: [UInt8]?
    public var attachments: [AttachmentEntry]

    public enum Kind: String, Codable, Sendable { case tip, followUp = "follow-up" }

    public init(
        version: Int = TipDocument.currentVersion, kind: Kind, message: String, category: String? = nil,
        answers: [String: String] = [:], replyPublicKey: [UInt8]? = nil, attachments: [AttachmentEntry] = []
    ) {
        self.version = version
        self.kind = kind
        self.message = message
        self.category = category
        self.answers = answers
        self.replyPublicKey = replyPublicKey
        self.attachments = attachments
    }

    enum CodingKeys: String, CodingKey { case version, kind, message, category, answers, replyPublicKey, attachments }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        kind = try c.decode(Kind.self, forKey: .kind)
        message = try c.decode(String.self, forKey: .message)
        category = try c.decodeIfPresent(String.self, forKey: .category)
        answers = try c.decodeIfPresent([String: String].self, forKey: .answers) ?? [:]
        replyPublicKey = try c.decodeIfPresent(Data.self, forKey: .replyPublicKey).map { [UInt8]($0) }
        attachments = try c.decodeIfPresent([AttachmentEntry].self, forKey: .attachments) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(kind, forKey: .kind)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(category, forKey: .category)
        try c.encode(answers, forKey: .answers)
        try c.encodeIfPresent(replyPublicKey.map { Data($0) }, forKey: .replyPublicKey)
        try c.encode(attachments, forKey: .attachments)
    }
}

/// One attachment as the document describes it: a neutral name (never the tipster's file
/// name), its format, its scrubbed size and the redaction report.
public struct AttachmentEntry: Codable, Sendable, Equatable {
    /// `EnvelopePart.attachment(index)`.
    public var index: UInt32
    public var name: String
    public var format: String
    public var bytes: Int
    public var removed: [String]
    public var kept: [String]
    /// Picture size and length where the format gives them (absent in documents written before
    /// they were recorded, and for formats that do not say them).
    public var width: Int?
    public var height: Int?
    public var durationMilliseconds: Int?

    public init(
        index: UInt32, name: String, format: String, bytes: Int, removed: [String] = [], kept: [String] = [],
        width: Int? = nil, height: Int? = nil, durationMilliseconds: Int? = nil
    ) {
        self.index = index
        self.name = name
        self.format = format
        self.bytes = bytes
        self.removed = removed
        self.kept = kept
        self.width = width
        self.height = height
        self.durationMilliseconds = durationMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case index, name, format, bytes, removed, kept, width, height
        case durationMilliseconds = "duration_ms"
    }
}

/// Plaintext (JSON) of a notice the tipster may read: an investigator's reply or a status change.
public struct TipsterNotice: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case reply, status }
    /// 2: padded (FORMAT.md §11), what is written now; absent in notices written before padding.
    public var version: Int?
    public var kind: Kind
    /// Coarse date at the policy's granularity, e.g. "2026-11-23".
    public var day: String
    /// The reply text, or the status name (new/triaged/assigned/actioned/closed).
    public var text: String

    public init(kind: Kind, day: String, text: String) {
        self.version = SealedRecord.paddedVersion
        self.kind = kind
        self.day = day
        self.text = text
    }
}

/// What a tipster with a receipt may see.
public struct TipsterView: Sendable {
    /// Each item is a `crypto_box_seal` ciphertext to the tipster's ReplyPublicKey whose
    /// plaintext is a `TipsterNotice` JSON; oldest first.
    public var sealedNotices: [[UInt8]]

    public init(sealedNotices: [[UInt8]]) { self.sealedNotices = sealedNotices }
}
