import Foundation
import Yams

/// Reads a policy file strictly: unknown keys, wrong types and values out of range are
/// errors that name the key, because a typo in a privacy setting must not fall back silently.
public enum PolicyLoader {
    public static func load(path: String) throws(PolicyError) -> Policy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(yaml: text)
    }

    /// Yams traps (a force unwrap) when it builds a mapping whose key is itself a mapping or a
    /// list, e.g. `? ?`, so such keys are refused on the composed tree before it builds one.
    static func refuseNonScalarKeys(_ node: Node?) throws(PolicyError) {
        switch node {
        case .mapping(let mapping)?:
            for (key, value) in mapping {
                guard case .scalar = key else { throw .notYAML(reason: "a key is a mapping or a list") }
                try refuseNonScalarKeys(value)
            }
        case .sequence(let sequence)?:
            for item in sequence { try refuseNonScalarKeys(item) }
        case .scalar?, .alias?, nil:
            return
        }
    }

    public static func parse(yaml: String) throws(PolicyError) -> Policy {
        let root: Any?
        let tree: Node?
        do {
            tree = try Yams.compose(yaml: yaml)
        } catch {
            throw .notYAML(reason: String(describing: error))
        }
        try refuseNonScalarKeys(tree)
        do {
            root = try Yams.load(yaml: yaml)
        } catch {
            throw .notYAML(reason: String(describing: error))
        }
        var policy = Policy()
        guard let root else { return policy }
        var top = try Section(root, key: "")
        if let version = try top.int("version") {
            guard version == 1 else { throw .unsupportedVersion(version) }
        }
        if var s = try top.section("intake") {
            var p = policy.intake
            if let v = try s.stringList("categories") {
                guard !v.isEmpty else { throw .outOfRange(key: s.path("categories"), reason: "needs at least one category") }
                p.categories = v
            }
            if let v = try s.stringList("questions") { p.questions = v }
            if let v = try s.positiveInt("max_message_bytes") { p.maxMessageBytes = v }
            if let v = try s.int("max_attachments", in: 0...1000) { p.maxAttachments = v }
            if let v = try s.positiveInt("max_attachment_bytes") { p.maxAttachmentBytes = v }
            if let v = try s.positiveInt("max_request_bytes") { p.maxRequestBytes = v }
            if let v = try s.int("header_timeout_seconds", in: 1...600) { p.headerTimeoutSeconds = v }
            if let v = try s.int("body_idle_timeout_seconds", in: 1...3600) { p.bodyIdleTimeoutSeconds = v }
            if let v = try s.int("min_upload_bytes_per_second", in: 0...(1 << 30)) { p.minUploadBytesPerSecond = v }
            if let v = try s.int("upload_rate_grace_seconds", in: 1...3600) { p.uploadRateGraceSeconds = v }
            if let v = try s.int("max_concurrent_uploads", in: 1...10_000) { p.maxConcurrentUploads = v }
            if let v = try s.positiveInt("receipt_attempts_per_minute") { p.receiptAttemptsPerMinute = v }
            try s.finish()
            policy.intake = p
        }
        if var s = try top.section("redaction") {
            var p = policy.redaction
            if let names = try s.stringList("accepted_formats") {
                var formats = Set<MediaFormat>()
                for name in names {
                    guard let f = MediaFormat(rawValue: name.lowercased()) else {
                        let known = MediaFormat.allCases.map(\.rawValue).joined(separator: ", ")
                        throw .outOfRange(key: s.path("accepted_formats"), reason: "names unknown format `\(name)` (known: \(known))")
                    }
                    formats.insert(f)
                }
                p.acceptedFormats = formats
            }
            if let v = try s.string("unknown_format"), v != "refuse" {
                throw .outOfRange(
                    key: s.path("unknown_format"), reason: "must be `refuse`: an unknown format cannot be scrubbed, so it is never stored")
            }
            if let v = try s.bool("keep_icc_profile") { p.keepICCProfile = v }
            if let v = try s.bool("keep_orientation") { p.keepOrientation = v }
            if let v = try s.bool("allow_tipster_keep_location") { p.allowTipsterKeepLocation = v }
            if let v = try s.bool("allow_tipster_keep_capture_date") { p.allowTipsterKeepCaptureDate = v }
            if let v = try s.positiveInt("max_file_bytes") { p.maxFileBytes = v }
            if let v = try s.positiveInt("max_video_bytes") { p.maxVideoBytes = v }
            if let v = try s.positiveInt("max_audio_bytes") { p.maxAudioBytes = v }
            if let v = try s.positiveInt("max_held_bytes") { p.maxHeldBytes = v }
            try s.finish()
            policy.redaction = p
        }
        if var s = try top.section("vault") {
            if let v = try s.string("date_granularity") {
                guard let g = DateGranularity(rawValue: v) else {
                    throw .outOfRange(key: s.path("date_granularity"), reason: "must be one of day, week, month (got `\(v)`)")
                }
                policy.vault.dateGranularity = g
            }
            if let v = try s.int("retention_days", in: 0...36_500) { policy.vault.retentionDays = v }
            try s.finish()
        }
        if var s = try top.section("receipts") {
            if let v = try s.int("argon2_ops_limit", in: 1...100) { policy.receipts.argon2OpsLimit = v }
            if let v = try s.int("argon2_mem_limit_bytes", in: 8192...(4 << 30)) { policy.receipts.argon2MemLimitBytes = v }
            if let v = try s.int("max_concurrent_derivations", in: 1...64) { policy.receipts.maxConcurrentDerivations = v }
            try s.finish()
        }
        try top.finish()
        return policy
    }
}

/// One YAML mapping being read; remembers which keys were consumed so `finish()` can
/// reject the rest as unknown.
private struct Section {
    let prefix: String
    var remaining: [String: Any]

    init(_ value: Any, key: String) throws(PolicyError) {
        guard let map = value as? [String: Any] else { throw .notAMapping(key: key.isEmpty ? "(top level)" : key) }
        prefix = key
        remaining = map
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    mutating func take(_ key: String) -> Any? { remaining.removeValue(forKey: key) }

    mutating func section(_ key: String) throws(PolicyError) -> Section? {
        guard let v = take(key) else { return nil }
        return try Section(v, key: path(key))
    }

    mutating func int(_ key: String) throws(PolicyError) -> Int? {
        guard let v = take(key) else { return nil }
        guard let i = v as? Int else { throw .wrongType(key: path(key), expected: "a whole number") }
        return i
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(PolicyError) -> Int? {
        guard let i = try int(key) else { return nil }
        guard range.contains(i) else {
            throw .outOfRange(key: path(key), reason: "must be between \(range.lowerBound) and \(range.upperBound) (got \(i))")
        }
        return i
    }

    mutating func positiveInt(_ key: String) throws(PolicyError) -> Int? {
        try int(key, in: 1...Int.max)
    }

    mutating func bool(_ key: String) throws(PolicyError) -> Bool? {
        guard let v = take(key) else { return nil }
        guard let b = v as? Bool else { throw .wrongType(key: path(key), expected: "true or false") }
        return b
    }

    mutating func string(_ key: String) throws(PolicyError) -> String? {
        guard let v = take(key) else { return nil }
        guard let s = v as? String else { throw .wrongType(key: path(key), expected: "a string") }
        return s
    }

    mutating func stringList(_ key: String) throws(PolicyError) -> [String]? {
        guard let v = take(key) else { return nil }
        guard let list = v as? [Any], let strings = list as? [String] else {
            throw .wrongType(key: path(key), expected: "a list of strings")
        }
        return strings
    }

    func finish() throws(PolicyError) {
        if let unknown = remaining.keys.sorted().first { throw .unknownKey(path(unknown)) }
    }
}
