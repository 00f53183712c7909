import Foundation
import Testing

/// Runs `scripts/e2e.sh` (headless Chromium, JavaScript off, submits the form with a photo)
/// against the binaries of this build. Skipped only where chromium is not installed; CI
/// installs it (`.ci/run`, `scripts/install-deps.sh`).
@Suite("Intake browser end to end", .enabled(if: Binaries.serverAvailable && Binaries.chromium, "tipintake serve or chromium is missing"))
struct BrowserE2ETests {
    @Test("headless Chromium without JavaScript submits the form with a photo and sees the receipt")
    func browserSubmitsTheForm() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tipline-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let script = Binaries.repo.appendingPathComponent("scripts/e2e.sh")
        let r = try Run.capture(
            URL(fileURLWithPath: "/bin/bash"), [script.path],
            env: ["TIPLINE_BIN": Binaries.tipintake!.deletingLastPathComponent().path, "E2E_OUT": out.path, "HOME": out.path],
            directory: Binaries.repo)
        #expect(r.status == 0, "stdout: \(r.out)\nstderr: \(r.err)")
        #expect(r.out.contains("e2e: receipt page shown"))
        #expect(r.out.hasSuffix("e2e: ok\n"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("receipt.png").path))
    }
}
