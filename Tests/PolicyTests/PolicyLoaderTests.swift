import Foundation
import Testing

@testable import TiplinePolicy

@Suite struct PolicyLoaderTests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func shippedDefaultPolicyEqualsBuiltInDefaults() throws {
        let policy = try PolicyLoader.load(path: Self.repoRoot.appendingPathComponent("policies/default.yaml").path)
        #expect(policy == Policy.default)
    }

    @Test func emptyDocumentGivesDefaults() throws {
        #expect(try PolicyLoader.parse(yaml: "") == Policy.default)
    }

    @Test func valuesAreRead() throws {
        let p = try PolicyLoader.parse(
            yaml: """
                intake: {max_attachments: 3}
                redaction: {accepted_formats: [jpeg, PNG], keep_icc_profile: false}
                vault: {date_granularity: month}
                receipts: {argon2_ops_limit: 1, argon2_mem_limit_bytes: 8192}
                """)
        #expect(p.intake.maxAttachments == 3)
        #expect(p.redaction.acceptedFormats == [.jpeg, .png])
        #expect(p.redaction.keepICCProfile == false)
        #expect(p.vault.dateGranularity == .month)
        #expect(p.receipts.argon2MemLimitBytes == 8192)
    }

    @Test func unknownKeyIsNamedWithItsPath() {
        #expect(throws: PolicyError.unknownKey("redaction.keep_gps")) {
            try PolicyLoader.parse(yaml: "redaction: {keep_gps: true}")
        }
        #expect(throws: PolicyError.unknownKey("intak")) { try PolicyLoader.parse(yaml: "intak: {}") }
    }

    @Test func wrongTypesAndRangesNameTheKey() {
        #expect(throws: PolicyError.wrongType(key: "intake.max_attachments", expected: "a whole number")) {
            try PolicyLoader.parse(yaml: "intake: {max_attachments: ten}")
        }
        #expect(throws: PolicyError.self) { try PolicyLoader.parse(yaml: "intake: {max_attachment_bytes: 0}") }
        #expect(throws: PolicyError.self) { try PolicyLoader.parse(yaml: "redaction: {accepted_formats: [bmp]}") }
        #expect(throws: PolicyError.self) { try PolicyLoader.parse(yaml: "redaction: {unknown_format: pass}") }
        #expect(throws: PolicyError.unsupportedVersion(2)) { try PolicyLoader.parse(yaml: "version: 2") }
        #expect(throws: PolicyError.notAMapping(key: "vault")) { try PolicyLoader.parse(yaml: "vault: [day]") }
    }

    @Test func messagesNameTheKey() {
        let e = PolicyError.outOfRange(key: "vault.retention_days", reason: "must be between 0 and 36500 (got -1)")
        #expect(e.description.contains("vault.retention_days"))
    }
}
