import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The second listener (issue 11): investigators only, on its own address (loopback by
/// default), sharing the intake server's process, vault and thread pool. Its router holds the
/// investigator routes alone, and the public router none of them, so neither answers the
/// other's paths.
struct InvestigatorServer: Sendable {
    let services: IntakeServices
    let auth: InvestigatorAuth
    let counters = InvestigatorCounters()

    /// Fails when `admin.pub` is missing or malformed, or `roster.signed` does not verify.
    init(services: IntakeServices, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) throws(IntakeStartupError) {
        self.services = services
        let roster = try InvestigatorRoster(directory: services.configuration.dataDirectory)
        auth = InvestigatorAuth(roster: roster, nonces: NonceWindow(), startedAt: now(), now: now)
    }

    func makeApplication(host: String, port: Int, logLevel: Logger.Level, onListening: @escaping @Sendable (Int) async -> Void)
        -> some ApplicationProtocol
    {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: InvestigatorErrorMiddleware(counters: counters))
        InvestigatorRoutes(services: services, auth: auth).register(on: router)
        var frameworkLogger = Logger(label: "tipintake.investigator.http")
        frameworkLogger.logLevel = max(logLevel, .notice)
        // The same slow-client guard as the public listener: a stalled connection is closed.
        let intake = services.configuration.policy.intake
        let rate = ConnectionGuardHandler.MinimumRate(
            minBytesPerSecond: intake.minUploadBytesPerSecond, grace: .seconds(Int64(intake.uploadRateGraceSeconds)))
        let (header, bodyIdle) = (TimeAmount.seconds(Int64(intake.headerTimeoutSeconds)), TimeAmount.seconds(Int64(intake.bodyIdleTimeoutSeconds)))
        return Application(
            router: router,
            server: .http1(
                configuration: .init(additionalChannelHandlers: [
                    ConnectionGuardHandler(headerTimeout: header, bodyIdleTimeout: bodyIdle, rate: rate, maxRequestBytes: intake.maxRequestBytes)
                ])),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: frameworkLogger)
    }
}
