import Foundation
import NIOConcurrencyHelpers

/// At most `limit` uploads in flight; the next one is refused at once (429) rather than queued,
/// so a flood costs the server nothing but a short answer.
public final class UploadSlots: Sendable {
    public let limit: Int
    private let inUse = NIOLockedValueBox(0)

    public init(limit: Int) { self.limit = max(1, limit) }

    /// True when a slot was taken; pair with `release()`.
    public func tryAcquire() -> Bool {
        inUse.withLockedValue { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    public func release() { inUse.withLockedValue { $0 -= 1 } }

    public var current: Int { inUse.withLockedValue { $0 } }
}

/// The global budget of receipt look-ups: a token bucket holding `perMinute` tokens, refilled
/// evenly over a minute. Deliberately global (no client address is ever kept), so guessing
/// receipts costs the same however many addresses an attacker has.
public final class AttemptBudget: Sendable {
    public let perMinute: Int
    private let state: NIOLockedValueBox<(tokens: Double, last: ContinuousClock.Instant)>
    private let clock = ContinuousClock()

    public init(perMinute: Int) {
        self.perMinute = max(1, perMinute)
        state = NIOLockedValueBox((Double(max(1, perMinute)), ContinuousClock().now))
    }

    /// Takes one token; nil on success, else the whole seconds until the next token.
    public func take(now: ContinuousClock.Instant? = nil) -> Int? {
        let now = now ?? clock.now
        let rate = Double(perMinute) / 60.0
        return state.withLockedValue { s in
            let elapsed = s.last.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds > 0 {
                s.tokens = min(Double(perMinute), s.tokens + seconds * rate)
                s.last = now
            }
            if s.tokens >= 1 {
                s.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - s.tokens) / rate).rounded(.up)))
        }
    }
}

/// A counting semaphore for async code: at most `limit` holders, the rest wait in order.
/// Bounds concurrent Argon2id derivations (each takes the policy's memory, e.g. 64 MiB).
public actor AsyncSemaphore {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) { available = max(1, limit) }

    public func wait() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func signal() {
        if waiters.isEmpty {
            available += 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    /// Runs `body` holding one permit.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await wait()
        do {
            let result = try await body()
            await signal()
            return result
        } catch {
            await signal()
            throw error
        }
    }
}
