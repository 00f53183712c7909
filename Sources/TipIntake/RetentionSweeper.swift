import Foundation
import Logging

/// Applies the policy's `vault.retention_days` while the server runs: once at start, then every
/// six hours (dates are stored to the day, so a finer period gains nothing). Deleting is the
/// vault's work (rows and chunks gone, pages zeroed); this only decides when. Nothing runs when
/// the policy keeps tips forever (0).
struct RetentionSweeper: Sendable {
    static let period: Duration = .seconds(6 * 3600)

    let services: IntakeServices
    let logger: Logger

    /// Runs until the task is cancelled (server shutdown).
    func run() async {
        guard services.policy.vault.retentionDays > 0 else { return }
        let vault = services.vault
        while !Task.isCancelled {
            do {
                let deleted = try await services.pool.runIfActive { try vault.applyRetention(now: Date()) }
                if deleted > 0 { logger.notice("retention: deleted \(deleted) tip(s) older than the policy allows") }
            } catch {
                logger.error("retention: could not delete old tips: \(error)")
            }
            do { try await Task.sleep(for: Self.period) } catch { return }
        }
    }
}
