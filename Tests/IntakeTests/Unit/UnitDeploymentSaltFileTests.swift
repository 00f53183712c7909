import Foundation
import Testing

@testable import TipIntake

@Suite("deployment.salt: created once with mode 0600, never replaced")
struct UnitDeploymentSaltFileTests {
    static func tempDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("salt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("the first start writes 16 bytes with mode 0600; later starts read the same bytes")
    func createsThenReads() throws {
        let directory = try Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try DeploymentSaltFile.loadOrCreate(in: directory)
        let path = directory.appendingPathComponent("deployment.salt").path
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(Array(FileManager.default.contents(atPath: path)!) == first.bytes)
        #expect(first.bytes.count == 16)
        let second = try DeploymentSaltFile.loadOrCreate(in: directory)
        #expect(second == first)
    }

    @Test("a salt file of the wrong size is refused, named, and left untouched")
    func refusesMalformed() throws {
        let directory = try Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("deployment.salt").path
        try Data([1, 2, 3, 4, 5]).write(to: URL(fileURLWithPath: path))
        #expect(throws: DeploymentSaltFile.Failure.malformed(path: path, bytes: 5)) {
            try DeploymentSaltFile.loadOrCreate(in: directory)
        }
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3, 4, 5]))
    }
}
