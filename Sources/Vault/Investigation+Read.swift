import Foundation
import TiplineCrypto

/// One line of `tipvault list`.
public struct TipSummary: Codable, Sendable, Equatable {
    public var id: TipID
    public var day: String
    public var category: String?
    public var status: String
    public var assignee: String?
    public var tags: [String]
    public var attachments: Int
    /// Attachment formats, e.g. ["jpeg", "png"].
    public var kinds: [String]
    public var firstLine: String
    public var followUps: Int
}

/// Everything `tipvault show` prints.
public struct TipDetail: Codable, Sendable {
    public struct FollowUp: Codable, Sendable {
        public var day: String
        public var message: String
        public var attachments: [AttachmentEntry]
    }
    public var id: TipID
    public var day: String
    public var category: String?
    public var message: String
    public var answers: [String: String]
    public var attachments: [AttachmentEntry]
    public var canReply: Bool
    public var followUps: [FollowUp]
    /// Triage history, replies included (kind `reply`), oldest first.
    public var events: [TriageEvent]
    public var state: TriageState
}

extension Investigation {
    /// Every tip, newest day first, decrypted on all cores. Fails on the first damaged tip,
    /// naming it, rather than silently leaving it out; `listing()` lists the rest as well.
    public func summaries() throws(VaultError) -> [TipSummary] {
        let (tips, damaged) = try listing()
        if let first = damaged.first { throw first }
        return tips
    }

    /// Every sound tip, newest day first, and one error for each damaged tip (or row that
    /// belongs to no tip), so `tipvault list` shows what it can and reports the rest by id.
    public func listing() throws(VaultError) -> (tips: [TipSummary], damaged: [VaultError]) {
        let (rows, found) = try vault.listingRows()
        let eventRows = try vault.eventRows()
        let results = Self.parallelMap(rows.count) { i -> Result<TipSummary, VaultError> in
            let row = rows[i]
            do throws(VaultError) {
                let reader = try self.reader(header: row.header, tip: row.tip)
                let document = try self.document(row.document, reader: reader, tip: row.tip, seq: 0)
                let state = TriageState(events: try self.events(eventRows[row.tip] ?? [], tip: row.tip))
                return .success(
                    TipSummary(
                        id: row.tip, day: row.day, category: document.category, status: state.status, assignee: state.assignee,
                        tags: state.tags, attachments: document.attachments.count, kinds: document.attachments.map(\.format),
                        firstLine: Self.firstLine(of: document.message),
                        followUps: row.followUps))
            } catch {
                return .failure(error)
            }
        }
        var summaries: [TipSummary] = []
        var damaged = found
        summaries.reserveCapacity(results.count)
        for result in results {
            switch result {
            case .success(let s): summaries.append(s)
            case .failure(let e): damaged.append(e)
            }
        }
        return (summaries, damaged)
    }

    /// The first line of `message` that is not blank, cut to 200 characters, then trimmed.
    /// Pure Swift and stopping at that line: Foundation's trimming bridges through NSString,
    /// and with splitting every whole message it was 5% of a 10 000-tip listing's profile.
    static func firstLine(of message: String) -> String {
        var rest = message[...]
        while !rest.isEmpty {
            let end = rest.firstIndex(where: \.isNewline) ?? rest.endIndex
            let line = rest[..<end]
            if line.contains(where: { !$0.isWhitespace }) {
                let cut = line.prefix(200)
                guard let first = cut.firstIndex(where: { !$0.isWhitespace }),
                    let last = cut.lastIndex(where: { !$0.isWhitespace })
                else { return "" }
                return String(cut[first...last])
            }
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        }
        return ""
    }

    /// The tip, its follow-ups and its triage history, decrypted.
    public func detail(_ tip: TipID) throws(VaultError) -> TipDetail {
        let envelopes = try vault.envelopes(of: tip)
        var documents: [(day: String, document: TipDocument)] = []
        for envelope in envelopes {
            let reader = try reader(header: envelope.header, tip: tip)
            var ciphertext: [UInt8] = []
            try vault.forEachChunk(envelope: envelope.id, part: 0) { ciphertext += $0 }
            documents.append((envelope.day, try document(ciphertext, reader: reader, tip: tip, seq: envelope.seq)))
        }
        let events = try events(try vault.eventRows(of: tip)[tip] ?? [], tip: tip)
        let main = documents[0].document
        return TipDetail(
            id: tip, day: documents[0].day, category: main.category, message: main.message, answers: main.answers,
            attachments: main.attachments, canReply: main.replyPublicKey != nil,
            followUps: documents.dropFirst().map { .init(day: $0.day, message: $0.document.message, attachments: $0.document.attachments) },
            events: events, state: TriageState(events: events))
    }

    /// The tip's own document (for the reply key).
    func mainDocument(_ tip: TipID) throws(VaultError) -> TipDocument {
        let envelope = try vault.envelopes(of: tip)[0]
        let reader = try reader(header: envelope.header, tip: tip)
        var ciphertext: [UInt8] = []
        try vault.forEachChunk(envelope: envelope.id, part: 0) { ciphertext += $0 }
        return try document(ciphertext, reader: reader, tip: tip, seq: envelope.seq)
    }
}
