/// Where typed receipts wait for a derivation slot. At most `running` run at once; up to
/// `capacity` more wait, each at most `maxWait`; beyond that a look-up is refused at once.
/// When one finishes, the next is drawn at random from those waiting, not taken in arrival
/// order: with no client state to tell a guesser from a tipster, every waiting request then
/// has the same chance at each free slot, so 50 flooding connections cannot line up ahead of
/// a tipster who knows their receipt, and abandoned guesses leave after `maxWait` at most.
actor GuessLobby {
    let running: Int
    let capacity: Int
    let maxWait: Duration
    private var active = 0
    private var waiting: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    private var nextTicket: UInt64 = 0

    init(running: Int, capacity: Int, maxWait: Duration) {
        self.running = max(1, running)
        self.capacity = max(0, capacity)
        self.maxWait = maxWait
    }

    /// True once this look-up may run (pair with `leave()`); false when the lobby is full or
    /// the wait ran out.
    func enter() async -> Bool {
        if active < running && waiting.isEmpty {
            active += 1
            return true
        }
        guard waiting.count < capacity else { return false }
        let ticket = nextTicket
        nextTicket += 1
        let wait = maxWait
        return await withCheckedContinuation { continuation in
            waiting[ticket] = continuation
            Task {
                try? await Task.sleep(for: wait)
                self.expire(ticket)
            }
        }
    }

    /// How many wait right now.
    var waitingCount: Int { waiting.count }

    /// Hands the slot to a random waiter, or frees it.
    func leave() {
        if let ticket = waiting.keys.randomElement(), let continuation = waiting.removeValue(forKey: ticket) {
            continuation.resume(returning: true)
        } else {
            active -= 1
        }
    }

    private func expire(_ ticket: UInt64) {
        waiting.removeValue(forKey: ticket)?.resume(returning: false)
    }
}
