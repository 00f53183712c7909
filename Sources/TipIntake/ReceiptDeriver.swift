import NIOPosix
import TiplineCrypto

/// Receipt → lookup id and reply key, with the policy's Argon2id cost. Each derivation takes
/// ~100 ms and the cost's memory (64 MiB by default), so they run on the blocking thread pool,
/// at most `limit` at a time.
///
/// Two ways in. A new tip's receipt (`derive`) waits its turn: tips are already bounded by the
/// upload slots. A receipt someone typed (`deriveGuess`) goes through a `GuessLobby`: at most
/// `limit` look-ups run, up to `lobbyPerSlot` per slot wait at most `lobbyWait` and are drawn
/// at random, the rest are refused at once. A flood of guesses then cannot build a queue that a
/// tipster who knows their receipt waits behind.
final class ReceiptDeriver: Sendable {
    /// Look-ups that may wait per derivation slot, and for how long: a tipster who gets in
    /// waits at most `lobbyWait` before their own derivation starts.
    static let lobbyPerSlot = 128
    static let lobbyWait: Duration = .seconds(2)

    let salt: DeploymentSalt
    let cost: Argon2Cost
    private let lobby: GuessLobby
    private let gate: AsyncSemaphore
    private let pool: NIOThreadPool
    private let counters: IntakeCounters

    init(salt: DeploymentSalt, cost: Argon2Cost, limit: Int, pool: NIOThreadPool, counters: IntakeCounters) {
        self.salt = salt
        self.cost = cost
        self.lobby = GuessLobby(running: limit, capacity: max(1, limit) * Self.lobbyPerSlot, maxWait: Self.lobbyWait)
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

    /// A typed receipt: nil when the lobby is full or its wait ran out.
    func deriveGuess(_ receipt: Receipt) async throws -> ReceiptKeys? {
        guard await lobby.enter() else { return nil }
        do {
            let keys = try await derive(receipt)
            await lobby.leave()
            return keys
        } catch {
            await lobby.leave()
            throw error
        }
    }
}
