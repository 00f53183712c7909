import Foundation
import Logging
import TiplinePolicy

/// Everything `tipintake serve` is started with.
public struct IntakeConfiguration: Sendable {
    /// The vault directory: `vault.sqlite`, `agency.pub`, `deployment.salt`.
    public var dataDirectory: URL
    public var policy: Policy
    public var host: String
    /// 0 picks a free port (the listening line gives the real one).
    public var port: Int
    public var strings: IntakeStrings
    public var logLevel: Logger.Level
    /// The investigator listener's port (issue 11); nil runs none. 0 picks a free port.
    public var investigatorPort: Int?
    /// Loopback by default: expose it only through its own onion service or TLS proxy (DEPLOY.md).
    public var investigatorHost = "127.0.0.1"

    public init(
        dataDirectory: URL, policy: Policy = .default, host: String = "127.0.0.1", port: Int = 8080,
        strings: IntakeStrings = IntakeStrings(), logLevel: Logger.Level = .notice
    ) {
        self.dataDirectory = dataDirectory
        self.policy = policy
        self.host = host
        self.port = port
        self.strings = strings
        self.logLevel = logLevel
    }
}
