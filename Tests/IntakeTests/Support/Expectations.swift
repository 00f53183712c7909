import Foundation
import Testing

/// Shared checks: the contract's response headers, its error shape, receipt syntax, and the
/// independent oracles (`tipintake redact`, exiftool, ImageMagick compare).
enum Contract {
    /// Exactly these headers on every response (intake-http.md "Every response").
    static let securityHeaders: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"),
    ]

    static func expectSecurityHeaders(_ r: RawResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, value) in securityHeaders {
            #expect(r.headers(named: name) == [value], "\(what): \(name)", sourceLocation: sourceLocation)
        }
        #expect(r.headers(named: "Set-Cookie") == [], "\(what): Set-Cookie", sourceLocation: sourceLocation)
        if let server = r.header("Server") {
            #expect(
                server.rangeOfCharacter(from: .decimalDigits) == nil, "\(what): Server names a version: \(server)", sourceLocation: sourceLocation)
        }
    }

    /// A JSON error: status, `application/json`, `{"error": {"code", "message"[, "file"]}}`.
    static func expectError(
        _ r: RawResponse, _ status: Int, _ code: String, file: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(r.status == status, "status; body: \(r.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true, "content type", sourceLocation: sourceLocation)
        #expect(r.errorCode == code, "error code; body: \(r.text.prefix(300))", sourceLocation: sourceLocation)
        #expect((r.errorMessage ?? "").count > 10, "a message a user can act on", sourceLocation: sourceLocation)
        let keys = Set(((r.json?["error"] as? [String: Any]) ?? [:]).keys)
        #expect(keys == (file == nil ? ["code", "message"] : ["code", "message", "file"]), "error keys", sourceLocation: sourceLocation)
        if let file { #expect(r.errorFile == file, "error.file", sourceLocation: sourceLocation) }
        #expect(Set((r.json ?? [:]).keys) == ["error"], "only `error` at the top level", sourceLocation: sourceLocation)
    }

    /// `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX` in Crockford base32 with a correct check symbol.
    static func isWellFormedReceipt(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.count == 5, groups.allSatisfy({ $0.count == 5 }) else { return false }
        let values = groups.joined().compactMap { Fixtures.alphabet.firstIndex(of: $0) }
        guard values.count == 25 else { return false }
        return Fixtures.checkValue(Array(values[0..<24])) == values[24]
    }
}

/// The independent oracles.
enum Oracles {
    /// `tipintake redact FILE -o OUT --json`: the report the server must echo for the same input.
    static func redactReport(_ bytes: [UInt8], name: String, in dir: URL) throws -> [String: Any] {
        let input = dir.appendingPathComponent("oracle-in-\(UUID().uuidString.prefix(6))-\(name)")
        try Data(bytes).write(to: input)
        let out = dir.appendingPathComponent("oracle-out-\(UUID().uuidString.prefix(6))-\(name)")
        let r = try Run.capture(Binaries.tipintake!, ["redact", input.path, "-o", out.path, "--json"])
        guard r.status == 0, let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
            throw Fixtures.Failure(description: "tipintake redact failed: \(r.err)")
        }
        return json
    }

    /// exiftool's reading (`-j -G1 -a -u -n`), "Group:Tag" → value.
    static func exiftool(_ path: String) throws -> [String: String] {
        let r = try Run.tool("exiftool", ["-j", "-G1", "-a", "-u", "-n", path])
        guard let list = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]], let item = list.first else {
            throw Fixtures.Failure(description: "exiftool gave no JSON for \(path): \(r.err)")
        }
        var tags: [String: String] = [:]
        for (k, v) in item where k != "SourceFile" { tags[k] = "\(v)" }
        return tags
    }

    /// Tags that identify a person, place or device, or carry free text.
    static func identifyingTags(_ tags: [String: String]) -> [String] {
        let words = [
            "GPS", "Make", "Model", "Serial", "Comment", "XMP", "Artist", "Author", "Creator", "Description", "Copyright", "Owner",
            "DateTimeOriginal", "MakerNote", "Nikon", "Software",
        ]
        return tags.keys.filter { key in
            key.hasPrefix("XMP") || words.contains { key.localizedCaseInsensitiveContains($0) }
        }.filter { !$0.hasPrefix("ExifTool:") && !$0.hasPrefix("System:") && !$0.hasPrefix("ICC") }.sorted()
    }

    /// ImageMagick `compare -metric AE`: the number of differing pixels (0 = identical).
    static func differingPixels(_ a: String, _ b: String) throws -> String {
        let r = try Run.tool("compare", ["-metric", "AE", a, b, "null:"])
        return r.err.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
