import Foundation
import Logging

/// Deletes the staged chunks of follow-ups whose receipt matched no tip. They are set aside at
/// commit rather than deleted there, so that deleting (with `secure_delete`, about as costly as
/// writing) never lands on the answer a receipt guesser times; this sweeps on its own clock,
/// unrelated to any request. What waits meanwhile is ciphertext whose envelope header (the
/// only copy of its file key, sealed) was never stored.
struct SetAsideSweeper: Sendable {
    static let period: Duration = .seconds(300)

    let services: IntakeServices
    let logger: Logger

    /// Runs until the task is cancelled (server shutdown).
    func run() async {
        let vault = services.vault
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.period) } catch { return }
            do {
                _ = try await services.pool.runIfActive { try vault.removeSetAsideUploads() }
            } catch {
                logger.error("could not delete set-aside follow-ups: \(error)")
            }
        }
    }
}
