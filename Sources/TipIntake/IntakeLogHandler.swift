import Foundation
import Logging

/// Log lines on stderr as `tipintake: LEVEL: message key=value`, deliberately without a
/// timestamp: a log must not let anyone line up its entries with when a tip arrived.
public struct IntakeLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(level: Logger.Level) { logLevel = level }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let pairs = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
        let text = "tipintake: \(event.level): \(event.message)\(pairs.isEmpty ? "" : " " + pairs)\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
