import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// THREAT_MODEL §2: someone who reads a running server's memory learns the tips arriving now,
/// not the ones that came before. 50 tips through both front doors (JSON API and the HTML
/// form), some with a PNG whose tEXt chunk the scrubber drops, some followed up with their
/// receipt; each carries its own canary. Once the server is idle, root reads every readable
/// mapping through `/proc/PID/mem` and finds none of them, in UTF-8 or UTF-16.
@Suite("Memory residue", .enabled(if: Binaries.serverAvailable, "tipintake serve is not built"), .serialized)
struct MemoryResidueTests {
    enum Kind: String, CaseIterable {
        case message = "tip message"
        case followUpMessage = "follow-up message"
        case droppedChunk = "dropped PNG tEXt"
        case receiptDisplayed = "receipt as displayed"
        case receiptTyped = "receipt as typed"
    }

    struct Planted {
        var kind: Kind
        var text: String
    }

    static let tips = 50
    static let idleSeconds = 2.0
    static let browserHeaders = [("Origin", "http://tipline.test"), ("Referer", "http://tipline.test/"), ("Accept", "text/html")]

    /// A PNG whose tEXt `Comment` carries `canary`: the scrubber drops the chunk, so the only
    /// copies are the ones intake read from the network and handed to the scrubber.
    static func png(_ base: [UInt8], carrying canary: String) -> [UInt8] {
        Array(base[0..<33]) + Fixtures.pngChunk("tEXt", Array("Comment\0\(canary)".utf8)) + Array(base[33...])
    }

    @Test("an idle server's memory holds no canary of the 50 tips, follow-ups and receipts it finished")
    func noCanaryOfFinishedRequests() throws {
        try #require(
            getuid() == 0,
            "this test reads the server's memory through /proc/PID/mem and must run as root (it does in CI and in the dev container)")
        // A canary the server must keep (a policy question is on every form it serves): proves
        // the scan reads the heap at all.
        let held = Fixtures.canary("heldquestion")
        var policy = TestPolicy()
        policy.questions = ["Where did it happen? \(held)"]
        // TIPLINE_RESIDUE_SERVER_TUNABLES=glibc.malloc.tcache_count=7 reruns this with glibc's
        // per-thread cache back on (the operator's choice stands), to see what it leaves.
        let tunables = ProcessInfo.processInfo.environment["TIPLINE_RESIDUE_SERVER_TUNABLES"].map { ["GLIBC_TUNABLES": $0] }
        let server = try ServerUnderTest(policy: policy, environment: tunables ?? [:])
        let base = try Fixtures.plainPNG(in: server.work)

        var planted: [Planted] = []
        var receipts: [String] = []
        for i in 0..<Self.tips {
            let overHTML = i % 2 == 1
            let message = Fixtures.canary("memmsg")
            planted.append(Planted(kind: .message, text: message))
            var files: [(String, [UInt8])] = []
            if i % 4 >= 2 {
                let chunk = Fixtures.canary("memchunk")
                planted.append(Planted(kind: .droppedChunk, text: chunk))
                files.append(("photo-\(i).png", Self.png(base, carrying: chunk)))
            }
            let body = MultipartBody.tip(message: "tip \(i): the truck \(message) left at night", files: files)
            let receipt: String
            if overHTML {
                let r = try server.submit(body, path: "/tips", headers: Self.browserHeaders)
                try #require(r.status == 200, "HTML tip \(i): \(r.status) \(r.text.prefix(300))")
                receipt = try #require(PageReader.text(ofID: "receipt", in: r.text), "HTML tip \(i): no receipt on the page")
            } else {
                let r = try server.submit(body)
                try #require(r.status == 201, "API tip \(i): \(r.status) \(r.text.prefix(300))")
                receipt = try #require(r.json?["receipt"] as? String, "API tip \(i): no receipt in \(r.text.prefix(200))")
            }
            try #require(Contract.isWellFormedReceipt(receipt), "tip \(i): receipt \(receipt)")
            planted.append(Planted(kind: .receiptDisplayed, text: receipt))
            receipts.append(receipt)
            if i % 5 == 4 { planted += try Self.followUp(server, receipt: receipts[i - 2], overHTML: i % 10 == 9, index: i) }
        }
        #expect(try server.tipCount() == Self.tips)

        Thread.sleep(forTimeInterval: Self.idleSeconds)
        #expect(server.isRunning, "the server died during the run: \(server.stderrText.suffix(500))")
        var needles: [[UInt8]] = []
        var owner: [Int] = []  // needle → index in `planted`
        for (index, p) in planted.enumerated() {
            needles += [Array(p.text.utf8), ProcessMemory.utf16(p.text)]
            owner += [index, index]
        }
        needles += [Array(held.utf8)]
        let (hits, bytesRead) = try ProcessMemory.search(pid: server.pid, for: needles)
        let control = hits.filter { $0.needle == needles.count - 1 }.count
        #expect(control > 0, "the scan did not even find the policy question the server keeps: it does not read the heap")
        #expect(bytesRead > 8 << 20, "only \(bytesRead) bytes were readable")

        let residue = hits.filter { $0.needle < needles.count - 1 }
        var summary: [String] = []
        for kind in Kind.allCases {
            let ofKind = residue.filter { planted[owner[$0.needle]].kind == kind }
            let plantedCount = Set(planted.filter { $0.kind == kind }.map(\.text)).count
            let found = Set(ofKind.map { owner[$0.needle] }.map { planted[$0].text }).count
            let utf16 = ofKind.filter { $0.needle % 2 == 1 }.count
            summary.append("\(kind.rawValue): \(found)/\(plantedCount) found, \(ofKind.count) copies (\(utf16) UTF-16)")
        }
        let where_ = Dictionary(grouping: residue, by: { $0.mapping.isEmpty ? "[anonymous]" : $0.mapping }).mapValues(\.count)
        let report =
            "memory residue after \(Self.tips) tips, \(Self.idleSeconds) s idle, \(bytesRead >> 20) MiB read: "
            + summary.joined(separator: "; ") + "; by mapping: \(where_.sorted { $0.key < $1.key })"
        print(report)
        if ProcessInfo.processInfo.environment["TIPLINE_RESIDUE_DETAIL"] != nil {
            for hit in residue.sorted(by: { $0.address < $1.address }) {
                let p = planted[owner[hit.needle]]
                print(
                    String(hit.address, radix: 16), hit.mapping, p.kind.rawValue, hit.needle % 2 == 1 ? "utf16" : "utf8",
                    ProcessMemory.context(pid: server.pid, at: hit.address))
            }
        }
        // Known and documented (THREAT_MODEL §2): about one run in three leaves one displayed
        // receipt, twice, in what looks like a thread stack, which no free() ever overwrites.
        // Everything else must be gone; before the allocator cache was turned off, 9 of 50
        // displayed receipts were found, so this bound still fails on that code.
        let stackResidue = Set(
            residue.filter { planted[owner[$0.needle]].kind == .receiptDisplayed }.map { owner[$0.needle] })
        let elsewhere = residue.filter { planted[owner[$0.needle]].kind != .receiptDisplayed }
        #expect(elsewhere.isEmpty, "\(report)")
        #expect(stackResidue.count <= 1, "\(report)")
    }

    /// The server's environment and arguments, as root reads them from /proc.
    static func launched(_ server: ServerUnderTest) throws -> (environment: [String], arguments: [String]) {
        func strings(_ file: String) throws -> [String] {
            try Data(contentsOf: URL(fileURLWithPath: "/proc/\(server.pid)/\(file)")).split(separator: 0).map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        return (try strings("environ"), try strings("cmdline"))
    }

    @Test("the server runs with glibc's per-thread cache off: it re-executed itself once, same pid, argv and environment")
    func allocatorCacheOff() throws {
        try #require(getuid() == 0, "reading /proc/PID/environ of an undumpable server needs root")
        let server = try ServerUnderTest()
        let (environment, arguments) = try Self.launched(server)
        // glibc rewrites the variable as it parses it; the cache setting must be in it.
        let tunables = environment.filter { $0.hasPrefix("GLIBC_TUNABLES=") }
        #expect(tunables.count == 1 && tunables[0].contains("glibc.malloc.tcache_count=0"), "\(tunables)")
        #expect(environment.contains("TMPDIR=\(server.tmp.path)"), "the environment carried over: \(environment)")
        #expect(
            Array(arguments.dropFirst()) == [
                "serve", "--data", server.vault.path, "--policy", server.policyFile.path, "--host", "127.0.0.1", "--port", "0",
            ])
        #expect(try server.get("/").status == 200)
    }

    @Test("an operator's own GLIBC_TUNABLES: the cache is turned off ahead of their tunables, their own tcache_count stands")
    func operatorTunables() throws {
        try #require(getuid() == 0, "reading /proc/PID/environ of an undumpable server needs root")
        let other = try ServerUnderTest(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"])
        let added = try Self.launched(other).environment.filter { $0.hasPrefix("GLIBC_TUNABLES=") }
        #expect(
            added.count == 1 && added[0].hasPrefix("GLIBC_TUNABLES=glibc.malloc.tcache_count=0"),
            "\(added)")
        let chosen = try ServerUnderTest(environment: ["GLIBC_TUNABLES": "glibc.malloc.tcache_count=3"])
        let kept = try Self.launched(chosen).environment.filter { $0.hasPrefix("GLIBC_TUNABLES=") }
        #expect(kept == ["GLIBC_TUNABLES=glibc.malloc.tcache_count=3"], "\(kept)")
        #expect(try chosen.get("/").status == 200)
    }

    /// A tipster comes back: looks the receipt up, then sends a message. Over the API they type
    /// it sloppily (lower case, spaces); on the page they paste it as shown.
    static func followUp(_ server: ServerUnderTest, receipt: String, overHTML: Bool, index: Int) throws -> [Planted] {
        let message = Fixtures.canary("memfollow")
        var planted = [Planted(kind: .followUpMessage, text: message)]
        let typed = overHTML ? receipt : receipt.lowercased().replacingOccurrences(of: "-", with: " ")
        if typed != receipt { planted.append(Planted(kind: .receiptTyped, text: typed)) }
        var body = MultipartBody()
        body.field("receipt", typed)
        body.field("message", "follow-up \(index): \(message) again")
        if overHTML {
            let page = try RawConnection.postForm(port: server.port, "/followup", [("receipt", typed)])
            try #require(page.status == 200, "follow-up page \(index): \(page.status) \(page.text.prefix(300))")
            let sent = try server.submit(body, path: "/followup/messages", headers: browserHeaders)
            try #require(sent.status == 200, "follow-up message page \(index): \(sent.status) \(sent.text.prefix(300))")
        } else {
            let view = try RawConnection.postJSON(port: server.port, "/api/v1/followup", ["receipt": typed])
            try #require(view.status == 200, "follow-up look-up \(index): \(view.status) \(view.text.prefix(300))")
            let sent = try server.submit(body, path: "/api/v1/followup/messages")
            try #require(sent.status == 201, "follow-up message \(index): \(sent.status) \(sent.text.prefix(300))")
        }
        return planted
    }
}
