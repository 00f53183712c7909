import NIOPosix
import TiplineCrypto

/// Receipt → lookup id and reply key, with the policy's Argon2id cost. Each derivation takes
/// ~100 ms and the cost's memory (64 MiB by default), so they run on the blocking thread pool,
/// at most `limit` at a time; the rest wait their turn.
final class ReceiptDeriver: Sendable {
    let salt: DeploymentSalt
    let cost: Argon2Cost
    private let gate: AsyncSemaphore
    private let pool: NIOThreadPool

    init(salt: DeploymentSalt, cost: Argon2Cost, limit: Int, pool: NIOThreadPool) {
        self.salt = salt
        self.cost = cost
        self.gate = AsyncSemaphore(limit: limit)
        self.pool = pool
    }

    func derive(_ receipt: Receipt) async throws -> ReceiptKeys {
        let (salt, cost, pool) = (self.salt, self.cost, self.pool)
        return try await gate.withPermit {
            try await pool.runIfActive { try ReceiptKeys.derive(from: receipt, salt: salt, cost: cost) }
        }
    }
}
