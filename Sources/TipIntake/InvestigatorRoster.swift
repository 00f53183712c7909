import Foundation
import Synchronization
import TiplineCrypto

/// The roster the investigator listener checks keys against: `admin.pub` (pinned admin keys,
/// placed at deployment) and `roster.signed` (the newest roster an admin signed), both in the
/// data directory. Public keys only: the server can refuse a roster but cannot make one.
final class InvestigatorRoster: Sendable {
    static let adminKeyFileName = "admin.pub"
    static let rosterFileName = "roster.signed"

    let directory: URL
    let pinnedAdmins: [InvestigatorPublicKey]
    private let current: Mutex<SignedRoster?>

    /// Refuses to start without a valid `admin.pub`, or with a `roster.signed` that does not
    /// verify or that no pinned or listed admin could have signed.
    init(directory: URL) throws(IntakeStartupError) {
        self.directory = directory
        let adminFile = directory.appendingPathComponent(Self.adminKeyFileName)
        guard let text = try? String(contentsOf: adminFile, encoding: .utf8) else {
            throw IntakeStartupError(
                message: "no admin public key at \(adminFile.path); the investigator listener cannot check a roster without it",
                hint: "place the admin's tipline-investigator-pk-v1: key there, one key a line")
        }
        do {
            pinnedAdmins = try RosterAuthority.pinnedAdmins(text: text)
        } catch {
            throw IntakeStartupError(message: "\(adminFile.path): \(error.description)", hint: nil)
        }
        let rosterFile = directory.appendingPathComponent(Self.rosterFileName)
        var stored: SignedRoster?
        if let bytes = FileManager.default.contents(atPath: rosterFile.path) {
            do {
                let roster = try SignedRoster(bytes: [UInt8](bytes))
                // A stored roster must at least come from a pinned admin or be self-consistent.
                let listedAdmin = roster.roster.member(for: roster.signer)?.role == .admin
                guard pinnedAdmins.contains(roster.signer) || listedAdmin else { throw SignedFormatError.rosterSignerNotAdmin }
                stored = roster
            } catch {
                throw IntakeStartupError(message: "\(rosterFile.path): \(error)", hint: "restore the last roster an admin signed")
            }
        }
        current = Mutex(stored)
    }

    /// The role of `key` now: its roster role, or admin for a pinned key the roster does not
    /// list (so the first roster can be uploaded); nil for a key nobody knows.
    func role(of key: InvestigatorPublicKey) -> Roster.Role? {
        current.withLock { roster in
            if let member = roster?.roster.member(for: key) { return member.role }
            return pinnedAdmins.contains(key) ? .admin : nil
        }
    }

    var sequence: UInt64 { current.withLock { $0?.roster.sequence ?? 0 } }

    /// Verifies `bytes` as a roster and replaces the stored one if it may (FORMAT.md §13.2):
    /// written to a temporary file, fsynced and renamed, so a crash leaves the old or the new.
    func replace(with bytes: [UInt8]) throws -> SignedRoster {
        let offered = try SignedRoster(bytes: bytes)
        return try current.withLock { stored throws -> SignedRoster in
            try RosterAuthority.check(offered, current: stored, pinnedAdmins: pinnedAdmins)
            let target = directory.appendingPathComponent(Self.rosterFileName)
            let temporary = directory.appendingPathComponent(".\(Self.rosterFileName).tmp")
            guard FileManager.default.createFile(atPath: temporary.path, contents: Data(bytes), attributes: [.posixPermissions: 0o644]),
                let handle = try? FileHandle(forWritingTo: temporary)
            else { throw InvestigatorError.internalError }
            try? handle.synchronize()
            try? handle.close()
            guard rename(temporary.path, target.path) == 0 else { throw InvestigatorError.internalError }
            stored = offered
            return offered
        }
    }
}
