// VaultBench: how long an investigator waits for `tipvault list` on a vault of 10 000 tips.
// Writes the tips through `TipComposer` exactly as intake does (one small attachment each, one
// triage event on every tenth), then times `Investigation.summaries()` (what `tipvault list`
// calls: every tip's envelope header opened and its document decrypted for the first line) and
// runs the real `tipvault list --json` binary once, end to end. Goal: under 1 s.
// Run with `make bench` (release). Options: --tips N (10000), --rounds N (5), --keep (leave the
// vault in place and print where).
import Foundation
import TiplineCrypto
import TiplinePolicy
import TiplineVault

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let tipCount = option("--tips").flatMap(Int.init) ?? 10_000
let rounds = option("--rounds").flatMap(Int.init) ?? 5
let keep = arguments.contains("--keep")
let passphrase = "vault bench passphrase, not secret"

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// CPU seconds (user + system) of this process, every thread: the listing runs on all cores,
/// and on a shared machine the wall time also counts other people's work.
func cpuNow() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

/// The 1-minute load average: how busy the shared machine was.
func loadAverage() -> Double {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) > 0 ? loads[0] : .nan
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("VaultBench: error: \(message)\n".utf8))
    exit(1)
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("vault-bench-\(UUID().uuidString.prefix(8))", isDirectory: true)
let vaultDirectory = root.appendingPathComponent("vault", isDirectory: true)
let keyringDirectory = root.appendingPathComponent("keyring", isDirectory: true)
defer { if !keep { try? FileManager.default.removeItem(at: root) } }

do {
    // 1. A keyring at libsodium's minimum Argon2id cost: the bench times listing, not unlocking.
    let keyring = Keyring(directory: keyringDirectory)
    let agencyKey = try keyring.initialise(
        vaultDirectory: vaultDirectory, policy: VaultPolicy(), investigator: "bench",
        passphrase: SecureBytes(copying: Array(passphrase.utf8)), cost: .minimumForTests)
    let keys = try keyring.unlock(investigator: "bench", passphrase: SecureBytes(copying: Array(passphrase.utf8)))
    let vault = try Vault(directory: vaultDirectory, policy: VaultPolicy())
    let investigation = Investigation(vault: vault, keys: keys, investigator: "bench")

    // 2. The tips: a few lines of text, a category, one 4 KiB attachment, reply-key bytes on half.
    let categories = ["corruption", "fraud", "safety", "environment", "other"]
    let writeStart = now()
    var ids: [TipID] = []
    ids.reserveCapacity(tipCount)
    for n in 0..<tipCount {
        let composer = try TipComposer(vault: vault, lookupID: (0..<32).map { _ in UInt8.random(in: 0...255) }, recipients: [agencyKey])
        try composer.beginAttachment(0)
        try composer.push([UInt8](repeating: UInt8(truncatingIfNeeded: n), count: 4096))
        let bytes = try composer.endAttachment()
        let message =
            "Tip \(n): the permit office on the river road signs off inspections it never made.\n"
            + String(repeating: "More detail on who, what and when, as a tipster would write it. ", count: 1 + n % 8)
        ids.append(
            try composer.finish(
                document: TipDocument(
                    kind: .tip, message: message, category: categories[n % categories.count],
                    answers: ["Where?": "river road"], replyPublicKey: n % 2 == 0 ? (0..<32).map { _ in UInt8.random(in: 0...255) } : nil,
                    attachments: [
                        AttachmentEntry(index: 0, name: "photo.jpg", format: "jpeg", bytes: bytes, removed: ["location"], kept: ["orientation"])
                    ])))
        if n % 10 == 0 { try investigation.record(.status, value: "triaged", on: ids[n]) }
    }
    let writeTime = now() - writeStart

    // 3. The listing, in process, as `tipvault list` does it.
    var times: [Double] = []
    var cpuTimes: [Double] = []
    for _ in 0..<rounds {
        let (start, cpuStart) = (now(), cpuNow())
        let summaries = try investigation.summaries()
        times.append(now() - start)
        cpuTimes.append(cpuNow() - cpuStart)
        guard summaries.count == tipCount else { fail("listed \(summaries.count) tips, wrote \(tipCount)") }
    }

    // 4. The binary, end to end: start, unlock the keyring, open the vault, list, print JSON.
    let tipvault = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tipvault")
    var cliTime: Double?
    var cliBytes = 0
    if FileManager.default.isExecutableFile(atPath: tipvault.path) {
        let process = Process()
        process.executableURL = tipvault
        process.arguments = ["list", "--json", "--vault", vaultDirectory.path, "--keyring", keyringDirectory.path]
        var environment = ProcessInfo.processInfo.environment
        environment["TIPVAULT_PASSPHRASE"] = passphrase
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        let start = now()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        cliTime = now() - start
        cliBytes = data.count
        guard process.terminationStatus == 0 else { fail("tipvault list exited \(process.terminationStatus)") }
    }

    print(
        "VaultBench: \(tipCount) tips (4 KiB attachment each, 1 in 10 triaged), written in \(String(format: "%.1f", writeTime)) s "
            + "(\(String(format: "%.2f", writeTime / Double(tipCount) * 1000)) ms per durable commit)")
    let m = median(times)
    print(
        "  Investigation.summaries() (tipvault list in process): median \(String(format: "%.3f", m)) s of \(rounds) "
            + "(min \(String(format: "%.3f", times.min()!)), max \(String(format: "%.3f", times.max()!)))  goal < 1 s: \(m < 1 ? "met" : "MISSED")")
    print(
        "    CPU time, all threads: median \(String(format: "%.3f", median(cpuTimes))) s "
            + "(\(String(format: "%.0f", median(cpuTimes) / Double(tipCount) * 1e6)) µs per tip; \(ProcessInfo.processInfo.activeProcessorCount) cores; "
            + "load average \(String(format: "%.1f", loadAverage())))")
    if let cliTime {
        print(
            "  tipvault list --json, end to end (process start, keyring unlock, list, \(cliBytes / 1024) KiB of JSON): "
                + "\(String(format: "%.3f", cliTime)) s  goal < 1 s: \(cliTime < 1 ? "met" : "MISSED")")
    } else {
        print("  tipvault binary not found beside VaultBench; build it with `swift build -c release`")
    }
    if keep { print("  vault kept at \(vaultDirectory.path), keyring \(keyringDirectory.path), passphrase \"\(passphrase)\"") }
} catch {
    fail("\(error)")
}
