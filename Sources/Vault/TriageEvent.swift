/// Plaintext (JSON) of one triage event, sealed to the newest agency key and stored as a row.
/// It names its tip so a row moved to another tip is caught, and carries its own coarse day,
/// so the database holds no date for triage at all.
public struct TriageEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case status, assign, tag, untag, note, reply
    }

    /// 2 since records are padded (FORMAT.md §11); 1 in vaults written before.
    public var version = SealedRecord.paddedVersion
    public var tip: String
    public var kind: Kind
    public var value: String
    /// The investigator who made it (their keyring name).
    public var by: String
    public var day: String

    public init(tip: TipID, kind: Kind, value: String, by: String, day: String) {
        self.tip = tip.text
        self.kind = kind
        self.value = value
        self.by = by
        self.day = day
    }
}

/// The statuses a tip moves through; `new` until someone sets another.
public enum TipStatus: String, Codable, Sendable, CaseIterable {
    case new, triaged, assigned, actioned, closed
}

/// Status, assignee and tags as the events leave them, folded in order.
public struct TriageState: Codable, Sendable, Equatable {
    public var status = TipStatus.new.rawValue
    public var assignee: String?
    public var tags: [String] = []

    public init(events: [TriageEvent]) {
        for event in events {
            switch event.kind {
            case .status: status = event.value
            case .assign: assignee = event.value
            case .tag: if !tags.contains(event.value) { tags.append(event.value) }
            case .untag: tags.removeAll { $0 == event.value }
            case .note, .reply: break
            }
        }
    }
}
