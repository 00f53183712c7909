import Foundation
import Testing

/// THREAT_MODEL §2: a running or crashed server gives up no earlier tip. A crash writes no core
/// file, and once a request is answered its plaintext (message, dropped metadata, the receipt)
/// is no longer in the process's memory, read the way an intruder with root would read it.
@Suite("Process hardening", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"), .serialized)
struct ProcessHardeningTests {
    @Test("a SIGSEGV writes no core file, even when the parent allowed unlimited core files")
    func crashWritesNoCore() throws {
        let server = try ServerUnderTest()
        server.stop()
        let scratch = server.root.appendingPathComponent("crash-cwd")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("stdout")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `ulimit -c unlimited`, then the server replaces the shell (same pid) in a directory
        // where the kernel's default core pattern would write `core`.
        p.arguments = [
            "-c", #"ulimit -c unlimited && exec "$0" "$@""#, Binaries.tipintake!.path,
            "serve", "--data", server.vault.path, "--port", "0",
        ]
        p.currentDirectoryURL = scratch
        p.environment = ["PATH": "/usr/bin:/bin", "TMPDIR": server.tmp.path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: out, encoding: .utf8)) ?? "").contains("listening on") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(p.isRunning, "the server did not start")
        let limits = try String(contentsOfFile: "/proc/\(p.processIdentifier)/limits", encoding: .utf8)
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        #expect(core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(core)")

        kill(p.processIdentifier, SIGSEGV)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGSEGV)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix("core") }
        #expect(left.isEmpty, "core files written: \(left)")
    }

    @Test("50 answered tips later, no message, dropped metadata or receipt is left in server memory")
    func answeredTipsLeaveNoPlaintextInMemory() throws {
        let server = try ServerUnderTest()
        var canaries: [String] = []
        for index in 0..<50 {
            let message = "Meet at the north gate. " + Fixtures.canary("memory-message")
            var files: [(String, [UInt8])] = []
            var planted: [String] = []
            if index % 5 == 0 {
                let png = try Fixtures.textPNG(in: server.work)
                files.append(("scan.png", png.bytes))
                planted = png.planted
            }
            let r = try server.submit(MultipartBody.tip(message: message, files: files))
            #expect(r.status == 201, "tip \(index): \(r.text.prefix(200))")
            let receipt = try #require(r.json?["receipt"] as? String)
            canaries += [String(message.suffix(27)), receipt] + planted
        }
        Thread.sleep(forTimeInterval: 1)
        let found = try MemoryScan.occurrences(of: canaries, inProcess: server.pid)
        #expect(found.isEmpty, "still in memory: \(found.prefix(10))")
        #expect(server.isRunning)
    }
}

/// Reads every readable mapping of a live process through /proc/PID/mem, as root (or anyone
/// with CAP_SYS_PTRACE) could, and counts needles.
enum MemoryScan {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func occurrences(of needles: [String], inProcess pid: Int32) throws -> [String: Int] {
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        let fd = open("/proc/\(pid)/mem", O_RDONLY)
        guard fd >= 0 else {
            throw Failure(description: "cannot read /proc/\(pid)/mem (errno \(errno)); the test needs CAP_SYS_PTRACE")
        }
        defer { close(fd) }
        let patterns = needles.map { Array($0.utf8) }
        var found: [String: Int] = [:]
        var bytesRead = 0
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1].hasPrefix("r") else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2, bounds[1] > bounds[0], bounds[1] - bounds[0] <= 1 << 32 else { continue }
            var region = [UInt8](repeating: 0, count: Int(bounds[1] - bounds[0]))
            let n = region.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(Int64(bitPattern: bounds[0]))) }
            guard n > 0 else { continue }
            bytesRead += n
            for (needle, pattern) in zip(needles, patterns) {
                let hits = count(pattern, in: region, upTo: n)
                if hits > 0 { found[needle, default: 0] += hits }
            }
        }
        guard bytesRead > 1 << 20 else { throw Failure(description: "read only \(bytesRead) bytes of process memory") }
        return found
    }

    /// Occurrences of `pattern` in the first `limit` bytes, by first byte then memcmp.
    static func count(_ pattern: [UInt8], in region: [UInt8], upTo limit: Int) -> Int {
        guard let first = pattern.first, pattern.count <= limit else { return 0 }
        var hits = 0
        region.withUnsafeBytes { hay in
            pattern.withUnsafeBytes { needle in
                var offset = 0
                while offset + pattern.count <= limit {
                    guard let p = memchr(hay.baseAddress! + offset, Int32(first), limit - offset - pattern.count + 1) else { break }
                    let at = hay.baseAddress!.distance(to: UnsafeRawPointer(p))
                    if memcmp(p, needle.baseAddress!, pattern.count) == 0 { hits += 1 }
                    offset = at + 1
                }
            }
        }
        return hits
    }
}
