import Foundation
import Testing

@testable import TipIntake

/// The look-up lobby (issue 10, item 13): bounded running and waiting, bounded waits, and
/// slots handed to waiters rather than to whoever comes next.
@Suite("Guess lobby: bounded, time-limited, drawn at random")
struct UnitGuessLobbyTests {
    @Test("1 runs, 2 wait, the 4th is refused without waiting; the waiters get the slot in turn")
    func bounds() async throws {
        let lobby = GuessLobby(running: 1, capacity: 2, maxWait: .seconds(60))
        #expect(await lobby.enter())
        async let first = lobby.enter()
        async let second = lobby.enter()
        while await lobby.waitingCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await lobby.enter() == false, "lobby full: refused")
        #expect(start.duration(to: clock.now) < .seconds(30), "refused at once, not after the 60 s wait")
        await lobby.leave()
        await lobby.leave()
        let (a, b) = await (first, second)
        #expect(a && b, "each waiter was handed the slot")
    }

    @Test("a waiter not drawn within maxWait is refused")
    func expiry() async throws {
        let lobby = GuessLobby(running: 1, capacity: 2, maxWait: .milliseconds(200))
        #expect(await lobby.enter())
        let clock = ContinuousClock()
        let start = clock.now
        let drawn = await lobby.enter()
        #expect(drawn == false)
        #expect(start.duration(to: clock.now) >= .milliseconds(200))
        #expect(await lobby.waitingCount == 0)
    }

    @Test("a slot that frees goes to a waiter, not to a newcomer")
    func handOff() async throws {
        let lobby = GuessLobby(running: 1, capacity: 4, maxWait: .seconds(5))
        #expect(await lobby.enter())
        async let waiter = lobby.enter()
        try await Task.sleep(for: .milliseconds(50))
        await lobby.leave()
        let drawn = await waiter
        #expect(drawn)
        async let late = lobby.enter()  // the slot is the waiter's now: this one must wait
        try await Task.sleep(for: .milliseconds(50))
        await lobby.leave()
        let lateDrawn = await late
        #expect(lateDrawn)
    }
}
