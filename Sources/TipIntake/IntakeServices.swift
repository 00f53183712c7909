import Foundation
import NIOPosix
import TiplineCrypto
import TiplinePolicy
import TiplineRedaction
import TiplineVault

/// Why the server cannot start: one line for the operator, plus what to do.
public struct IntakeStartupError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public var description: String { message }
}

/// The long-lived pieces every request shares: the vault, the receipt deriver, the budgets.
/// Built once at start, after the checks that make a misconfigured server refuse to start.
final class IntakeServices: Sendable {
    let configuration: IntakeConfiguration
    let vault: Vault
    let deriver: ReceiptDeriver
    let uploads: UploadSlots
    let attempts: AttemptBudget
    let pool: NIOThreadPool
    let redactor: Redactor
    let counters = IntakeCounters()

    var policy: Policy { configuration.policy }

    init(configuration: IntakeConfiguration, pool: NIOThreadPool = .singleton) throws(IntakeStartupError) {
        self.configuration = configuration
        let directory = configuration.dataDirectory
        let keyFile = directory.appendingPathComponent(Vault.agencyKeyFileName).path
        guard FileManager.default.fileExists(atPath: keyFile) else {
            throw IntakeStartupError(
                message: "no agency public key at \(keyFile); the server cannot seal tips without it",
                hint: "run tipvault init --vault DIR --keyring KEYRING and copy agency.pub here")
        }
        do {
            _ = try Vault.agencyPublicKeys(in: directory)
        } catch {
            throw IntakeStartupError(message: error.description, hint: "copy a valid agency.pub from the investigators' machine")
        }
        let receipts = configuration.policy.receipts
        let cost: Argon2Cost
        do {
            cost = try Argon2Cost(opsLimit: receipts.argon2OpsLimit, memLimitBytes: receipts.argon2MemLimitBytes)
        } catch {
            throw IntakeStartupError(message: "the policy's receipts section: \(error.description)", hint: nil)
        }
        let salt: DeploymentSalt
        do {
            salt = try DeploymentSaltFile.loadOrCreate(in: directory)
        } catch {
            throw IntakeStartupError(message: error.description, hint: nil)
        }
        do {
            vault = try Vault(directory: directory, policy: configuration.policy.vault)
        } catch {
            throw IntakeStartupError(message: error.description, hint: nil)
        }
        self.pool = pool
        deriver = ReceiptDeriver(salt: salt, cost: cost, limit: receipts.maxConcurrentDerivations, pool: pool, counters: counters)
        uploads = UploadSlots(limit: configuration.policy.intake.maxConcurrentUploads)
        attempts = AttemptBudget(perMinute: configuration.policy.intake.receiptAttemptsPerMinute)
        // Movies wait for their index in encrypted, nameless temporary files beside the vault.
        let spoolDirectory = configuration.dataDirectory
        redactor = Redactor(
            policy: configuration.policy.redaction,
            spool: SpoolMaker { () throws(RedactionError) -> any ScrubSpool in try EncryptedFileSpool(directory: spoolDirectory) },
            heldBytes: HeldBytesBudget(limit: configuration.policy.redaction.maxHeldBytes))
    }

    /// The newest agency key, re-read for every submission so `tipvault rotate` needs no restart.
    func currentRecipient() async throws -> AgencyPublicKey {
        let directory = configuration.dataDirectory
        do {
            return try await pool.runIfActive { try Vault.agencyPublicKeys(in: directory).last! }
        } catch {
            counters.add(\.internalErrors)
            throw IntakeError.notStored()
        }
    }

    /// Runs blocking vault work on the thread pool; vault failures become a 500 that says nothing was stored.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await pool.runIfActive(body)
        } catch let error as IntakeError {
            throw error
        } catch {
            counters.add(\.internalErrors)
            throw IntakeError.notStored()
        }
    }
}
