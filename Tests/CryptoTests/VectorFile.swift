import Foundation

@testable import TiplineCrypto

/// One test-vector file (FORMAT.md §10): `# comment` lines, `name: value` header lines, a blank
/// line, then the payload as hex (64 digits a line). One scenario per file.
struct VectorFile: Equatable {
    var comment: String
    var fields: [(String, String)]
    var payload: [UInt8]

    static func == (lhs: VectorFile, rhs: VectorFile) -> Bool { lhs.text == rhs.text }

    subscript(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }

    func hex(_ name: String) -> [UInt8] { TestSupport.bytes(hex: self[name] ?? "") }
    func int(_ name: String) -> Int { Int(self[name] ?? "") ?? -1 }
    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }

    var text: String {
        var out = "# \(comment)\n"
        for (name, value) in fields { out += "\(name): \(value)\n" }
        out += "\n"
        let digits = Array(TestSupport.hex(payload))
        var index = 0
        while index < digits.count {
            out += String(digits[index..<min(index + 64, digits.count)]) + "\n"
            index += 64
        }
        return out
    }

    init(comment: String, fields: [(String, String)], payload: [UInt8] = []) {
        self.comment = comment
        self.fields = fields
        self.payload = payload
    }

    init(text: String) {
        var comment = "", fields = [(String, String)](), payloadHex = ""
        var inPayload = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if inPayload { payloadHex += line; continue }
            if line.isEmpty { inPayload = true; continue }
            if line.hasPrefix("# ") { comment = String(line.dropFirst(2)); continue }
            let parts = line.split(separator: ":", maxSplits: 1)
            fields.append((String(parts[0]), parts.count > 1 ? String(parts[1].dropFirst()) : ""))
        }
        self.init(comment: comment, fields: fields, payload: TestSupport.bytes(hex: payloadHex))
    }

    // MARK: Where the files live

    /// The committed files, as copied into the test bundle.
    static var bundledDirectory: URL {
        Bundle.module.url(forResource: "Vectors", withExtension: nil)!
    }

    /// The source folder, which the generator rewrites.
    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")
    }

    static func bundledNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: bundledDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }

    static func load(_ name: String) throws -> VectorFile {
        VectorFile(text: try String(contentsOf: bundledDirectory.appendingPathComponent(name), encoding: .utf8))
    }
}

/// Stable names for errors in vector files (`error:` lines).
func vectorName(of error: CryptoError) -> String {
    switch error {
    case .chunkAuthenticationFailed(let index): return "chunkAuthenticationFailed(\(index))"
    case .unexpectedChunkTag(let index): return "unexpectedChunkTag(\(index))"
    case .unsupportedEnvelopeVersion(let version): return "unsupportedEnvelopeVersion(\(version))"
    case .malformedEnvelope: return "malformedEnvelope"
    case .receiptMalformed: return "receiptMalformed"
    case .invalidKeyLength: return "invalidKeyLength"
    case .invalidArgon2Cost: return "invalidArgon2Cost"
    case .invalidSaltLength: return "invalidSaltLength"
    case .malformedKeyText: return "malformedKeyText"
    case .sealedBoxOpenFailed: return "sealedBoxOpenFailed"
    case .notARecipient: return "notARecipient"
    case .malformedStreamHeader: return "malformedStreamHeader"
    case .streamTruncated: return "streamTruncated"
    case .trailingData: return "trailingData"
    case .invalidPadding: return "invalidPadding"
    case .receiptCheckMismatch: return "receiptCheckMismatch"
    case .keyDerivationFailed: return "keyDerivationFailed"
    case .wrongPassphrase: return "wrongPassphrase"
    case .malformedWrappedKey: return "malformedWrappedKey"
    case .outOfMemory: return "outOfMemory"
    }
}
