import Foundation
import GRDB
import Synchronization
import TiplineCrypto
import TiplinePolicy

/// The ciphertext store shared by the intake server (writes tips) and `tipvault` (reads them,
/// writes triage events and replies). The directory holds `vault.sqlite` with its WAL,
/// `agency.pub` and writer-session lock files: nothing that opens a tip.
///
/// SQLite runs in WAL mode so investigators read while the server writes; commits that make
/// something visible use `synchronous=FULL`; deleted pages are zeroed (`secure_delete`).
public final class Vault: Sendable {
    public static let databaseFileName = "vault.sqlite"
    public static let agencyKeyFileName = "agency.pub"

    public let directory: URL
    public let policy: VaultPolicy
    let pool: DatabasePool
    /// nil when opened read-only: such a vault cannot write and never touches the files.
    let optionalSession: WriterSession?
    /// Set when a purge deleted tips but could not compact: the next purge compacts even if it
    /// deletes nothing, so the server's periodic retention finishes what a busy moment left.
    let compactionOwed = Mutex(false)

    /// Opens the vault database in `directory`, creating and migrating it if needed. Uploads left
    /// behind by a writer that died (crash, SIGKILL) are deleted with their chunks here.
    public convenience init(directory: URL, policy: VaultPolicy) throws(VaultError) {
        try self.init(directory: directory, policy: policy, createIfMissing: true)
    }

    /// `createIfMissing: false` is for `tipvault`, where a missing database means a wrong `--vault`.
    public convenience init(directory: URL, policy: VaultPolicy, createIfMissing: Bool) throws(VaultError) {
        try self.init(directory: directory, policy: policy, createIfMissing: createIfMissing, readOnly: false)
    }

    /// Opens an existing vault read-only (`tipvault list`, `show`, `export`, `forward`): no
    /// migration, no cleanup, no session file, no write of any kind, so a read-only copy opens
    /// and the files stay byte for byte as they were. Writes through it fail with `readOnly`.
    public convenience init(readingFrom directory: URL, policy: VaultPolicy) throws(VaultError) {
        try self.init(directory: directory, policy: policy, createIfMissing: false, readOnly: true)
    }

    private init(directory: URL, policy: VaultPolicy, createIfMissing: Bool, readOnly: Bool) throws(VaultError) {
        self.directory = directory
        self.policy = policy
        let path = directory.appendingPathComponent(Self.databaseFileName).path
        if !FileManager.default.fileExists(atPath: path) {
            guard createIfMissing else { throw .cannotOpen(path: directory.path, reason: "it holds no \(Self.databaseFileName)") }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path: directory.path, reason: "cannot create the directory")
            }
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.readonly = readOnly
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw .cannotOpen(path: directory.path, reason: Self.reason(error))
        }
        optionalSession = readOnly ? nil : try WriterSession(vaultDirectory: directory)
        let migrator = Schema.migrator
        let superseded = try perform("checking the schema version") { try pool.read { try migrator.hasBeenSuperseded($0) } }
        if superseded {
            let found = try perform("reading the schema version") { try pool.read { try migrator.appliedIdentifiers($0).count } }
            throw .schemaTooNew(found: found, supported: Schema.knownVersion)
        }
        // Read-only: an older schema reads as it is (migrations so far change storage, not columns).
        guard !readOnly else { return }
        try perform("migrating the schema") { try migrator.migrate(pool) }
        try removeDeadUploads()
    }

    /// The writer session; a read-only vault has none and refuses to write.
    var session: WriterSession {
        get throws(VaultError) {
            guard let optionalSession else { throw .readOnly(path: directory.path) }
            return optionalSession
        }
    }

    /// The agency public keys in `agency.pub`, oldest first; the server seals new tips to the last.
    public static func agencyPublicKeys(in directory: URL) throws(VaultError) -> [AgencyPublicKey] {
        try AgencyKeyFile(directory: directory).read()
    }

    /// Starts writing a new tip. Nothing is visible until `commit()` returns.
    public func beginTip(lookupID: [UInt8], envelopeHeader: [UInt8]) throws(VaultError) -> TipWriter {
        try TipWriter(vault: self, target: .newTip(lookupID: lookupID), header: envelopeHeader)
    }

    /// Starts a tipster follow-up on the tip with this lookup id; nil when none has it.
    public func beginFollowUp(lookupID: [UInt8], envelopeHeader: [UInt8]) throws(VaultError) -> TipWriter? {
        guard let tip = try tipID(lookupID: lookupID) else { return nil }
        return try TipWriter(vault: self, target: .followUp(tip: tip), header: envelopeHeader)
    }

    /// Notices sealed to the tipster's reply key, oldest first; nil when no tip has this lookup id.
    public func tipsterView(lookupID: [UInt8]) throws(VaultError) -> TipsterView? {
        guard let tip = try tipID(lookupID: lookupID) else { return nil }
        let sealed = try perform("reading notices") {
            try pool.read { db in
                try Data.fetchAll(db, sql: "SELECT sealed FROM notices WHERE tip_id = ? ORDER BY seq", arguments: [tip.text])
                    .map { [UInt8]($0) }
            }
        }
        return TipsterView(sealedNotices: sealed)
    }

    /// Deletes tips older than the policy's retention (0 = never). Returns how many were deleted.
    public func applyRetention(now: Date) throws(VaultError) -> Int {
        guard policy.retentionDays > 0 else { return 0 }
        return try purge(olderThanDays: policy.retentionDays, now: now)
    }

    func tipID(lookupID: [UInt8]) throws(VaultError) -> TipID? {
        try perform("looking up a tip") {
            try pool.read { db in
                try String.fetchOne(db, sql: "SELECT id FROM tips WHERE lookup_id = ?", arguments: [Data(lookupID)])
            }
        }.map(TipID.init(unchecked:))
    }

    /// The coarse day for "now" under this vault's policy.
    public func today(_ now: Date = Date()) -> String {
        CoarseDay.string(for: now, granularity: policy.dateGranularity)
    }

    /// Runs GRDB work and turns its untyped errors into `VaultError.database`.
    func perform<T>(_ operation: String, _ body: () throws -> T) throws(VaultError) -> T {
        do {
            return try body()
        } catch let error as VaultError {
            throw error
        } catch {
            throw .database(operation: operation, reason: Self.reason(error))
        }
    }

    /// SQLite's message only: GRDB's description would add the SQL, never arguments, but keep it short.
    static func reason(_ error: Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? "SQLite error \(db.resultCode.rawValue)" }
        return String(describing: error)
    }
}
