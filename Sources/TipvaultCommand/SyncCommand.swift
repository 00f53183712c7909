import ArgumentParser
import Foundation
import TiplineCrypto
import TiplineVault

/// `tipvault sync`: mirrors the investigator service into a local cache vault (same format, so
/// `list`, `show` and `export --vault CACHE` work offline). It asks for the full change list
/// each time: the id set is how deletions are learnt (a purged tip leaves the cache), and
/// whatever the cache already holds (envelopes by seq, records by content id) is not fetched
/// or stored again, so a second sync stores nothing.
///
/// `--watch` keeps syncing every `--interval` seconds and prints a line only when tips or
/// follow-ups arrived: an alert that says how many, never what (the cache holds only
/// ciphertext, and the line is counted before anything is opened).
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Pull new tips, follow-ups, triage and replies from the investigator service into a cache vault.")

    @Option(name: .long, help: ArgumentHelp("The local cache vault directory (created on first sync).", valueName: "DIR"))
    var vault: String
    @Flag(name: .long, help: "Keep syncing and print a line whenever new tips or follow-ups arrive (Ctrl-C ends).")
    var watch = false
    @Option(name: .long, help: ArgumentHelp("Seconds between syncs with --watch (1–3600).", valueName: "SECONDS"))
    var interval = 60
    @OptionGroup var access: KeyAccess

    struct Counts { var tips = 0, envelopes = 0, followUps = 0, events = 0, notices = 0, removed = 0 }

    func validate() throws {
        guard (1...3600).contains(interval) else { throw ValidationError("--interval must be between 1 and 3600 seconds.") }
        guard watch || interval == 60 else { throw ValidationError("--interval only applies with --watch.") }
    }

    func run() throws {
        try Console.run { () throws(VaultError) in
            let ring = access.ring
            let client = try access.serviceClient()
            let cacheURL = URL(fileURLWithPath: vault, isDirectory: true)
            let cache = try Vault(directory: cacheURL, policy: .init())
            try ring.writeAgencyKeys(intoCache: cacheURL)
            let counts = try Self.sync(client: client, cache: cache)
            Console.out(
                "synced from \(client.remote.url): \(Self.plural(counts.tips, "new tip")), \(Self.plural(counts.envelopes, "envelope")), "
                    + "\(Self.plural(counts.events, "event")), \(Self.plural(counts.notices, "notice")), \(counts.removed) removed")
            guard watch else { return }
            Console.out("watching \(client.remote.url) every \(interval) s; Ctrl-C ends")
            while true {
                sleep(UInt32(interval))
                do throws(VaultError) {
                    let counts = try Self.sync(client: client, cache: cache)
                    guard let alert = Self.alert(counts) else { continue }
                    Console.out("\(Self.clock()) \(alert)")
                } catch {
                    // A service that is down for a while must not end the watch: say so, go on.
                    Console.note("warning: \(Self.clock()) sync failed: \(error.description)")
                }
            }
        }
    }

    /// "2 new tips, 1 follow-up", or nil when neither arrived (triage alone is not news).
    static func alert(_ counts: Counts) -> String? {
        var parts: [String] = []
        if counts.tips > 0 { parts.append(plural(counts.tips, "new tip")) }
        if counts.followUps > 0 { parts.append(plural(counts.followUps, "follow-up")) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    static func plural(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// The investigator's own local time, hours and minutes: when they learnt, not when it was sent.
    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        return formatter.string(from: Date())
    }

    static func sync(client: ServiceClient, cache: Vault) throws(VaultError) -> Counts {
        struct Listing: Decodable { var tips: [TipChanges] }
        let answer = try client.send("GET", "/investigator/v1/changes")
        let listing: Listing
        do { listing = try JSONDecoder().decode(Listing.self, from: Data(answer.body)) } catch {
            throw .serviceAnswerMalformed(reason: "the change list is not the expected JSON")
        }
        let local = Dictionary(try cache.changes(since: nil).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var counts = Counts()
        for tip in listing.tips {
            guard let id = TipID(tip.id), id.text == tip.id else { throw .serviceAnswerMalformed(reason: "a tip id is invalid") }
            let mine = local[tip.id]
            if mine == nil { counts.tips += 1 }
            let haveSeqs = Set(mine?.envelopes.map(\.seq) ?? [])
            for envelope in tip.envelopes.sorted(by: { $0.seq < $1.seq }) where !haveSeqs.contains(envelope.seq) {
                let stream = try client.send("GET", "/investigator/v1/tips/\(tip.id)/envelopes/\(envelope.seq)")
                let (header, parts) = try EnvelopeStream.parse(stream.body)
                if try cache.mirrorEnvelope(tip: id, tipDay: tip.day, seq: envelope.seq, day: envelope.day, header: header, parts: parts) {
                    counts.envelopes += 1
                    // Envelope 0 is the tip itself; later ones are the tipster's follow-ups.
                    if envelope.seq > 0 && mine != nil { counts.followUps += 1 }
                }
            }
            for (table, records, have) in [
                (Vault.SealedRecordTable.events, tip.events, Set(mine?.events.map(\.id) ?? [])),
                (.notices, tip.notices, Set(mine?.notices.map(\.id) ?? [])),
            ] {
                for record in records.sorted(by: { $0.seq < $1.seq }) where !have.contains(record.id) {
                    let sealed = try client.send("GET", "/investigator/v1/tips/\(tip.id)/\(table.rawValue)/\(record.id)").body
                    guard RecordDigest.id(of: sealed) == record.id else {
                        throw .serviceAnswerMalformed(reason: "a sealed record does not match its id")
                    }
                    if try cache.storeSealedRecord(sealed, in: table, tip: id)?.stored == true {
                        if table == .events { counts.events += 1 } else { counts.notices += 1 }
                    }
                }
            }
        }
        let remoteIDs = Set(listing.tips.map(\.id))
        for gone in local.keys.sorted() where !remoteIDs.contains(gone) {
            guard let id = TipID(gone) else { continue }
            do { _ = try cache.purge(tip: id) } catch .notCompacted {}
            counts.removed += 1
        }
        return counts
    }
}
