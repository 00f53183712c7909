import ArgumentParser
import Foundation
import TiplineCrypto
import TiplineVault

/// `status`, `assign`, `tag`, `note`: each one triage event sealed to the agency key.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Set a tip's status (the tipster sees the change, the server does not).")
    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Argument(help: "new, triaged, assigned, actioned or closed.") var status: TipStatus
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws { try Triage.record(.status, status.rawValue, id: id, location, access, done: "status set to \(status.rawValue)") }
}

struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Assign a tip to an investigator.")
    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Argument(help: "Who takes it.") var name: String
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws { try Triage.record(.assign, name, id: id, location, access, done: "assigned") }
}

struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Tag a tip (or remove a tag with --remove).")
    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Argument(help: "The tag.") var tag: String
    @Flag(help: "Remove the tag instead.") var remove = false
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws { try Triage.record(remove ? .untag : .tag, tag, id: id, location, access, done: remove ? "tag removed" : "tagged") }
}

struct NoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a triage note, sealed to the agency key.")
    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Argument(help: "The note.") var text: String
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws { try Triage.record(.note, text, id: id, location, access, done: "note added") }
}

struct ReplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply", abstract: "Reply to the tipster, sealed to their receipt key (a copy is kept for the record).")
    @Argument(help: "Tip id (or a unique prefix).") var id: String
    @Argument(help: "The message the tipster will read.") var message: String
    @OptionGroup var location: VaultLocation
    @OptionGroup var access: KeyAccess

    func run() throws {
        try Console.run { () throws(VaultError) in
            let (investigation, passphrase) = try access.unlockedInvestigation(location)
            let tip = try investigation.vault.resolveTip(id)
            let sent = try Triage.store(try investigation.sealReply(message, to: tip), on: tip, investigation, access, passphrase)
            Console.out("reply \(sent ? "sent" : "stored") for tip \(tip.short); the tipster sees it with their receipt")
        }
    }
}

enum Triage {
    static func record(_ kind: TriageEvent.Kind, _ value: String, id: String, _ location: VaultLocation, _ access: KeyAccess, done: String) throws {
        try Console.run { () throws(VaultError) in
            guard !value.isEmpty, value.count <= 20_000 else {
                throw .documentMalformed(tip: id, reason: "the \(kind.rawValue) text must be 1 to 20000 characters")
            }
            let (investigation, passphrase) = try access.unlockedInvestigation(location)
            let tip = try investigation.vault.resolveTip(id)
            _ = try store(try investigation.seal(kind, value: value, on: tip), on: tip, investigation, access, passphrase)
            Console.out("tip \(tip.short): \(done)")
        }
    }

    /// With a remote configured (`tipvault remote add`), posts the sealed records to the
    /// investigator service first and fails loudly if it cannot (nothing is queued), then keeps
    /// them in the cache; without one, writes the vault directly. True when sent.
    static func store(
        _ sealed: Investigation.SealedTriage, on tip: TipID, _ investigation: Investigation, _ access: KeyAccess,
        _ passphrase: SecureBytes
    ) throws(VaultError) -> Bool {
        let ring = access.ring
        let remote: RemoteConfig
        do { remote = try ring.remote() } catch .remoteMissing {
            try investigation.vault.appendRecords(tip: tip, event: sealed.event, notice: sealed.notice)
            return false
        }
        let client = ServiceClient(remote: remote, key: try ring.signingKey(investigator: investigation.investigator, passphrase: passphrase))
        do {
            _ = try client.send("POST", "/investigator/v1/tips/\(tip.text)/events", body: sealed.event)
            if let notice = sealed.notice { _ = try client.send("POST", "/investigator/v1/tips/\(tip.text)/notices", body: notice) }
        } catch {
            throw .notSent(reason: error.description)
        }
        _ = try investigation.vault.storeSealedRecord(sealed.event, in: .events, tip: tip)
        if let notice = sealed.notice { _ = try investigation.vault.storeSealedRecord(notice, in: .notices, tip: tip) }
        return true
    }
}

struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Delete tips older than N days for good (rows, chunks, then VACUUM).")
    @OptionGroup var location: VaultLocation
    @Option(name: .long, help: ArgumentHelp("Delete tips received more than DAYS days ago.", valueName: "DAYS")) var olderThan: Int

    func validate() throws {
        guard olderThan >= 0 else { throw ValidationError("--older-than must be 0 or more days") }
    }

    func run() throws {
        try Console.run { () throws(VaultError) in
            let vault = try location.open()
            let deleted = try vault.purge(olderThanDays: olderThan, now: Date())
            // Compacts even when nothing was old enough, so a purge that could not compact
            // (a reader held the vault) finishes when it is run again.
            if deleted == 0 { try vault.compact() }
            Console.out("purged \(deleted) tip\(deleted == 1 ? "" : "s")")
        }
    }
}
