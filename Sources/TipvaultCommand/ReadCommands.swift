import ArgumentParser
import Foundation
import TiplineVault

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tips, newest first.")

    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess
    @Option(help: "Only tips with this status (new, triaged, assigned, actioned, closed).") var status: TipStatus?
    @Option(help: "Only tips in this category.") var category: String?
    @Option(help: "Only tips with this tag.") var tag: String?
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        var damaged: [VaultError] = []
        try Console.run { () throws(VaultError) in
            let listing = try access.investigation(location, readOnly: true).listing()
            damaged = listing.damaged
            let tips = listing.tips.filter { tip in
                (status.map { tip.status == $0.rawValue } ?? true) && (category.map { tip.category == $0 } ?? true)
                    && (tag.map { tip.tags.contains($0) } ?? true)
            }
            if json { return Console.json(tips) }
            guard !tips.isEmpty else { return damaged.isEmpty ? Console.out("no tips") : () }
            Console.table(
                ["ID", "DAY", "CATEGORY", "STATUS", "ASSIGNEE", "TAGS", "FILES", "MESSAGE"],
                tips.map { tip in
                    [
                        Output.clean(tip.id.short), Output.clean(tip.day, limit: 10), Output.clean(tip.category ?? "-", limit: 16),
                        Output.clean(tip.status, limit: 10),
                        Output.clean(tip.assignee ?? "-", limit: 16),
                        Output.clean(tip.tags.isEmpty ? "-" : tip.tags.joined(separator: ","), limit: 24),
                        tip.attachments == 0
                            ? "-" : "\(tip.attachments) " + Output.clean(Array(Set(tip.kinds)).sorted().joined(separator: ","), limit: 20),
                        Output.clean(tip.firstLine, limit: 48) + (tip.followUps > 0 ? " (+\(tip.followUps) follow-up)" : ""),
                    ]
                })
        }
        try Console.failDamaged(damaged)
    }
}

extension TipStatus: ExpressibleByArgument {}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one tip: message, answers, attachments, conversation, triage history.")

    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        var damaged: [VaultError] = []
        try Console.run { () throws(VaultError) in
            let investigation = try access.investigation(location, readOnly: true)
            let detail = try investigation.detail(try investigation.vault.resolveTip(id))
            // Rows that lost their tip may be part of this one's history: say so after it.
            damaged = try investigation.vault.structuralDamage()
            if json { return Console.json(detail) }
            TipPrinter.print(detail)
        }
        try Console.failDamaged(damaged)
    }
}

/// Human rendering of a tip; every string from the tip is cleaned of control characters.
enum TipPrinter {
    static func print(_ d: TipDetail) {
        Console.out(
            "tip \(Output.clean(d.id.text))  received \(Output.clean(d.day, limit: 10))  category \(Output.clean(d.category ?? "-", limit: 40))"
        )
        Console.out(
            "status \(Output.clean(d.state.status, limit: 10))  assignee \(Output.clean(d.state.assignee ?? "-", limit: 40))  tags \(Output.clean(d.state.tags.isEmpty ? "-" : d.state.tags.joined(separator: ", "), limit: 80))"
        )
        printMessage(d.message, answers: d.answers, attachments: d.attachments)
        if !d.canReply { Console.out("\n(no reply key: the tipster cannot receive replies)") }
        let conversation =
            d.followUps.map { ($0.day, "tipster", $0.message) }
            + d.events.filter { $0.kind == .reply }.map { ($0.day, "reply by \($0.by)", $0.value) }
        if !conversation.isEmpty {
            Console.out("\nconversation:")
            for (day, who, text) in conversation.sorted(by: { $0.0 < $1.0 }) {
                Console.out("  \(Output.clean(day, limit: 10))  \(Output.clean(who, limit: 40)): \(Output.clean(text, limit: 2000))")
            }
            for (i, f) in d.followUps.enumerated() where !f.attachments.isEmpty {
                Console.out(
                    "  follow-up \(i + 1) attachments: "
                        + f.attachments.map { "\(Output.clean($0.format, limit: 8))\(Self.facts(of: $0)) \($0.bytes) B" }.joined(separator: ", "))
            }
        }
        let triage = d.events.filter { $0.kind != .reply }
        if !triage.isEmpty {
            Console.out("\nhistory:")
            for e in triage {
                Console.out(
                    "  \(Output.clean(e.day, limit: 10))  \(Output.clean(e.by, limit: 32))  \(e.kind.rawValue) \(Output.clean(e.value, limit: 2000))"
                )
            }
        }
    }

    /// "photo", "video" or "recording": what an investigator would call the attachment. A movie
    /// file with no picture track is a recording (M4A voice memos share the MP4 format).
    static func kind(of a: AttachmentEntry) -> String {
        if a.kept.contains("video") { return "video" }
        if a.kept.contains("audio") || ["mp3", "wav", "flac", "ogg", "mp4", "webm", "mkv"].contains(a.format) { return "recording" }
        return "photo"
    }

    /// ` 1280×720, 0:42`: the size and length the document records, or nothing. Numbers only,
    /// range-checked, so nothing from the vault reaches the terminal as text.
    static func facts(of a: AttachmentEntry) -> String {
        var parts: [String] = []
        if let w = a.width, let h = a.height, (1...65_535).contains(w), (1...65_535).contains(h) { parts.append("\(w)×\(h)") }
        if let ms = a.durationMilliseconds, (0..<(100 * 86_400_000)).contains(ms) { parts.append(duration(ms)) }
        return parts.isEmpty ? "" : " " + parts.joined(separator: ", ")
    }

    /// `0:07`, `12:30`, `1:02:03`: rounded to the second, as a player shows it.
    static func duration(_ ms: Int) -> String {
        let total = (ms + 500) / 1000
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        let mmss = String(format: "%02d:%02d", m, s)
        return h > 0 ? "\(h):\(mmss)" : "\(m):" + String(format: "%02d", s)
    }

    static func printMessage(_ message: String, answers: [String: String], attachments: [AttachmentEntry]) {
        Console.out("\nmessage:")
        for line in Output.clean(message).split(separator: "\n", omittingEmptySubsequences: false) { Console.out("  " + line) }
        for (question, answer) in answers.sorted(by: { $0.key < $1.key }) {
            Console.out("\n\(Output.clean(question, limit: 200)): \(Output.clean(answer, limit: 2000))")
        }
        if !attachments.isEmpty {
            Console.out("\nattachments:")
            for a in attachments {
                Console.out(
                    "  \(a.index + 1). \(Self.kind(of: a)) (\(Output.clean(a.format, limit: 8)))\(Self.facts(of: a))  \(a.bytes) B  removed: \(Output.clean(a.removed.isEmpty ? "nothing" : a.removed.joined(separator: ", "), limit: 200))  kept: \(Output.clean(a.kept.isEmpty ? "nothing" : a.kept.joined(separator: ", "), limit: 200))"
                )
            }
        }
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Decrypt a tip's attachments into a directory (neutral names; never overwrites).")

    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Option(name: .long, help: ArgumentHelp("Directory to write to (created if missing).", valueName: "DIR")) var to: String
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        var damaged: [VaultError] = []
        try Console.run { () throws(VaultError) in
            let investigation = try access.investigation(location, readOnly: true)
            let files = try investigation.export(try investigation.vault.resolveTip(id), to: URL(fileURLWithPath: to, isDirectory: true))
            // A lost follow-up would mean files missing from the export: say so after it.
            damaged = try investigation.vault.structuralDamage()
            if json { return Console.json(files) }
            if files.isEmpty { return Console.out("the tip has no attachments") }
            for file in files { Console.out("wrote \(file.name) (\(file.bytes) B)") }
        }
        try Console.failDamaged(damaged)
    }
}
