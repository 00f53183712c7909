import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Testing

@testable import TipIntake

/// The slow-client guard over a real socket: a server with 1-second timeouts must hang up on a
/// client that never finishes its headers, and on one that stops sending its body, storing nothing.
@Suite("Slow clients are disconnected")
struct UnitConnectionGuardTests {
    /// Connects, writes `bytes`, then waits for the server to close; returns the seconds it took
    /// from before the connection existed (the server's timer cannot start earlier than that,
    /// so a loaded machine can only make the figure larger, never smaller).
    static func secondsUntilClosed(port: Int, sending bytes: String) async throws -> Double {
        let start = ContinuousClock.now
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        // On a loaded machine the server's timer can fire before this write goes out: a write
        // on a channel the server already closed is the cut-off arriving early, not a failure.
        do {
            try await channel.writeAndFlush(ByteBuffer(string: bytes)).get()
        } catch ChannelError.ioOnClosedChannel {}
        try await channel.closeFuture.get()
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test("unfinished headers and a stalled body are both cut off after about a second")
    func timeouts() async throws {
        var policy = UnitVault.testPolicy()
        policy.intake.headerTimeoutSeconds = 1
        policy.intake.bodyIdleTimeoutSeconds = 1
        let unit = try UnitVault(policy: policy)
        let server = try IntakeServer(configuration: IntakeConfiguration(dataDirectory: unit.dataDirectory, policy: policy, port: 0))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = server.makeApplication { continuation.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())

            let headers = try await Self.secondsUntilClosed(port: port, sending: "POST /api/v1/tips HTTP/1.1\r\nHost: x\r\n")
            #expect(headers >= 0.9 && headers < 10, "closed after \(headers) s")

            let body = try await Self.secondsUntilClosed(
                port: port,
                sending: "POST /api/v1/tips HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
                    + "Content-Length: 100000\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi")
            #expect(body >= 0.9 && body < 10, "closed after \(body) s")
            group.cancelAll()
        }
        #expect(try unit.investigation.summaries().isEmpty)
        #expect(server.services.uploads.current == 0)
    }
}
