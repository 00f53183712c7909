import Testing

@testable import TipIntake

@Suite("Budgets: upload slots, the receipt attempt bucket, the derivation semaphore")
struct UnitBudgetTests {
    @Test("the attempt budget allows perMinute look-ups at once, then refuses with a retry time")
    func attemptBucket() {
        let budget = AttemptBudget(perMinute: 60)
        let start = ContinuousClock.now
        for _ in 0..<60 { #expect(budget.take(now: start) == nil) }
        #expect(budget.take(now: start) == 1)
        // One token comes back every second at 60 per minute.
        #expect(budget.take(now: start + .milliseconds(500)) == 1)
        #expect(budget.take(now: start + .seconds(1)) == nil)
        #expect(budget.take(now: start + .seconds(1)) == 1)
        // Never more than a minute's worth saved up.
        let later = start + .seconds(3600)
        for _ in 0..<60 { #expect(budget.take(now: later) == nil) }
        #expect(budget.take(now: later) == 1)
    }

    @Test("upload slots refuse the one over the limit and free on release")
    func uploadSlots() {
        let slots = UploadSlots(limit: 2)
        #expect(slots.tryAcquire())
        #expect(slots.tryAcquire())
        #expect(!slots.tryAcquire())
        slots.release()
        #expect(slots.tryAcquire())
        #expect(slots.current == 2)
    }

    @Test("the semaphore never lets more than its limit run at once, and all finish")
    func semaphoreBound() async throws {
        let semaphore = AsyncSemaphore(limit: 2)
        let state = UnitConcurrencyProbe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await semaphore.withPermit {
                        await state.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await state.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await state.peak == 2)
        #expect(await state.done == 12)
        #expect(await state.running == 0)
    }
}

/// Counts how many holders are inside at once.
actor UnitConcurrencyProbe {
    var running = 0
    var peak = 0
    var done = 0
    func enter() {
        running += 1
        peak = max(peak, running)
    }
    func leave() {
        running -= 1
        done += 1
    }
}
