import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix

/// The intake server: checks its data directory, wires the routes, the header middleware and
/// the slow-client guard into a Hummingbird application, and runs it until SIGINT/SIGTERM
/// (in-flight uploads finish or abort; the process then exits 0).
public struct IntakeServer: Sendable {
    public let configuration: IntakeConfiguration
    let services: IntakeServices
    let logger: Logger
    /// Blocking work (Argon2id, scrubbing, SQLite commits): its own threads, so derivations
    /// holding their permits cannot starve uploads that only need a commit.
    let pool: NIOThreadPool
    /// The investigator listener, when `investigatorPort` is set.
    let investigators: InvestigatorServer?

    /// Fails (with a message and a hint) if `agency.pub` is missing or bad, the salt file is
    /// malformed, the Argon2 cost is invalid or the vault cannot be opened.
    public init(configuration: IntakeConfiguration) throws(IntakeStartupError) {
        self.configuration = configuration
        let threads = max(4, configuration.policy.receipts.maxConcurrentDerivations + 2)
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        do {
            let shared = try IntakeServices(configuration: configuration, pool: pool)
            services = shared
            investigators = configuration.investigatorPort == nil ? nil : try InvestigatorServer(services: shared)
        } catch {
            pool.shutdownGracefully { _ in }
            throw error
        }
        var logger = Logger(label: "tipintake")
        logger.logLevel = configuration.logLevel
        self.logger = logger
    }

    /// The application, for `run()` and for in-process tests (HummingbirdTesting).
    /// `onListening` receives the bound port.
    public func makeApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let pages = Pages(strings: configuration.strings, policy: configuration.policy)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(pages: pages))
        router.add(middleware: MethodMiddleware(methods: IntakeRoutes.methods))
        IntakeRoutes(services: services, pages: pages).register(on: router)

        let intake = configuration.policy.intake
        let header = TimeAmount.seconds(Int64(intake.headerTimeoutSeconds))
        let bodyIdle = TimeAmount.seconds(Int64(intake.bodyIdleTimeoutSeconds))
        let rate = ConnectionGuardHandler.MinimumRate(
            minBytesPerSecond: intake.minUploadBytesPerSecond, grace: .seconds(Int64(intake.uploadRateGraceSeconds)))
        // Hummingbird's own logger stays at notice or above whatever TIPLINE_LOG_LEVEL says:
        // below that it would describe individual requests.
        var frameworkLogger = Logger(label: "tipintake.http")
        frameworkLogger.logLevel = max(configuration.logLevel, .notice)
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ConnectionGuardHandler(
                            headerTimeout: header, bodyIdleTimeout: bodyIdle, rate: rate, maxRequestBytes: intake.maxRequestBytes),
                        SecurityHeadersChannelHandler(),
                    ])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: frameworkLogger)
    }

    /// Serves until SIGINT/SIGTERM. Prints `tipintake: listening on http://HOST:PORT` to stdout
    /// once bound, flushed, for scripts and tests to read.
    public func run() async throws {
        let host = configuration.host
        let logger = self.logger
        let app = makeApplication { port in
            let line = "tipintake: listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
            logger.notice("serving", metadata: ["port": "\(port)"])
        }
        logger.notice("starting", metadata: ["data": "\(configuration.dataDirectory.path)"])
        let retention = Task { [services] in await RetentionSweeper(services: services, logger: logger).run() }
        let setAside = Task { [services] in await SetAsideSweeper(services: services, logger: logger).run() }
        var failure: Error?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.runService() }
                if let investigators, let port = configuration.investigatorPort {
                    let host = configuration.investigatorHost
                    let second = investigators.makeApplication(host: host, port: port, logLevel: configuration.logLevel) { port in
                        let line = "tipintake: investigator listener on http://\(host.contains(":") ? "[\(host)]" : host):\(port)\n"
                        FileHandle.standardOutput.write(Data(line.utf8))
                    }
                    group.addTask { try await second.runService() }
                }
                // Both stop on SIGINT/SIGTERM; either failing stops the other.
                defer { group.cancelAll() }
                for try await _ in group { group.cancelAll() }
            }
        } catch { failure = error }
        // One shutdown path whether the server stopped on a signal or failed.
        retention.cancel()
        setAside.cancel()
        try? await pool.shutdownGracefully()
        if let failure { throw failure }  // the command prints it once
        logger.notice("stopped; \(services.counters.summary)")
        if let investigators { logger.notice("\(investigators.counters.summary)") }
    }
}
