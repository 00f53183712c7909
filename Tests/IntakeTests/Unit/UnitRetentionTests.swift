import Foundation
import Logging
import Testing
import TiplineCrypto

@testable import TipIntake
@testable import TiplineVault

@Suite("Unit: retention while serving")
struct UnitRetentionTests {
    @Test("the sweeper deletes tips older than the policy's days at start and keeps newer ones")
    func sweeperDeletesOldTips() async throws {
        var policy = UnitVault.testPolicy()
        policy.vault.retentionDays = 10
        let t = try UnitVault(policy: policy)
        let recipients = [try Vault.agencyPublicKeys(in: t.dataDirectory).last!]
        func write(_ message: String) throws -> TipID {
            let composer = try TipComposer(vault: t.services.vault, lookupID: (0..<32).map { _ in UInt8.random(in: 0...255) }, recipients: recipients)
            return try composer.finish(document: TipDocument(kind: .tip, message: message))
        }
        let old = try write("old tip")
        _ = try write("new tip")
        try t.services.vault.debugExecute("UPDATE tips SET day = '2020-01-01' WHERE id = '\(old.text)'")

        let services = t.services
        let sweeper = Task { await RetentionSweeper(services: services, logger: Logger(label: "test")).run() }
        defer { sweeper.cancel() }
        var left = try t.investigation.summaries()
        for _ in 0..<100 where left.count > 1 {
            try await Task.sleep(for: .milliseconds(50))
            left = try t.investigation.summaries()
        }
        #expect(left.map(\.firstLine) == ["new tip"])
    }
}
