import NIOConcurrencyHelpers
import NIOPosix
import TiplineCrypto

/// Receipt → lookup id and reply key, with the policy's Argon2id cost. Each derivation takes
/// ~100 ms and the cost's memory (64 MiB by default), so they run on the blocking thread pool,
/// at most `limit` at a time.
///
/// Two ways in. A new tip's receipt (`derive`) waits its turn: tips are already bounded by the
/// upload slots. A receipt someone typed (`deriveGuess`) joins only while fewer than
/// `guessQueue` look-ups are running or waiting, and is refused at once otherwise: a flood of
/// guesses then cannot build a queue that a tipster who knows their receipt waits behind.
final class ReceiptDeriver: Sendable {
    /// Look-ups admitted (running + waiting) per derivation slot: a tipster who gets in waits
    /// at most about this many derivation times.
    static let guessesPerSlot = 2

    let salt: DeploymentSalt
    let cost: Argon2Cost
    let guessQueue: Int
    private let gate: AsyncSemaphore
    private let pool: NIOThreadPool
    private let counters: IntakeCounters
    private let admittedGuesses = NIOLockedValueBox(0)

    init(salt: DeploymentSalt, cost: Argon2Cost, limit: Int, pool: NIOThreadPool, counters: IntakeCounters) {
        self.salt = salt
        self.cost = cost
        self.guessQueue = max(1, limit) * Self.guessesPerSlot
        self.gate = AsyncSemaphore(limit: limit)
        self.pool = pool
        self.counters = counters
    }

    /// A new tip's receipt: always derived, in turn.
    func derive(_ receipt: Receipt) async throws -> ReceiptKeys {
        let (salt, cost, pool, counters) = (self.salt, self.cost, self.pool, self.counters)
        return try await gate.withPermit {
            try await pool.runIfActive {
                counters.add(\.derivations)
                return try ReceiptKeys.derive(from: receipt, salt: salt, cost: cost)
            }
        }
    }

    /// A typed receipt: nil (without waiting) when the look-up queue is full.
    func deriveGuess(_ receipt: Receipt) async throws -> ReceiptKeys? {
        let admitted = admittedGuesses.withLockedValue { count in
            guard count < guessQueue else { return false }
            count += 1
            return true
        }
        guard admitted else { return nil }
        defer { admittedGuesses.withLockedValue { $0 -= 1 } }
        return try await derive(receipt)
    }
}
