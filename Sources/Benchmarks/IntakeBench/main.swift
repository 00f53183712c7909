import Foundation

// IntakeBench: the intake server measured from outside, over loopback, as a real process.
//  (a) one 1 GiB JPEG-shaped upload end to end: throughput against raw libsodium secretstream
//      over the same bytes (goal ≥ 50 %), and the server's peak RSS (goal < 64 MiB);
//  (b) 1,000 tips with a 2 MB photo each from 16 concurrent clients: tips/s (goal ≥ 100) and
//      p99 latency (goal < 250 ms), once at the default Argon2id receipt cost (ops 3, 64 MiB,
//      two derivations at a time: this bounds tips/s by design) and once at the minimum cost.
// `IntakeBench --quick` shrinks both (64 MiB, 100 tips) for a smoke run.

enum Config {
    static let quick = CommandLine.arguments.contains("--quick")
    static let uploadBytes = quick ? 64 << 20 : 1 << 30
    static let tipCount = quick ? 100 : 1000
    static let clients = 16
}

/// A baseline JPEG header (SOI, APP0 JFIF, DQT, SOF0 64×64 grey, DHT ×2, SOS) from ImageMagick.
enum Shape {
    static let jpegHeader: [UInt8] = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0xFF, 0xDB, 0x00, 0x43, 0x00, 0x03, 0x02, 0x02, 0x03, 0x02, 0x02, 0x03, 0x03, 0x03, 0x03, 0x04, 0x03, 0x03, 0x04, 0x05,
        0x08, 0x05, 0x05, 0x04, 0x04, 0x05, 0x0A, 0x07, 0x07, 0x06, 0x08, 0x0C, 0x0A, 0x0C, 0x0C, 0x0B, 0x0A, 0x0B, 0x0B, 0x0D,
        0x0E, 0x12, 0x10, 0x0D, 0x0E, 0x11, 0x0E, 0x0B, 0x0B, 0x10, 0x16, 0x10, 0x11, 0x13, 0x14, 0x15, 0x15, 0x15, 0x0C, 0x0F,
        0x17, 0x18, 0x16, 0x14, 0x18, 0x12, 0x14, 0x15, 0x14, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x40, 0x00, 0x40, 0x01, 0x01,
        0x11, 0x00, 0xFF, 0xC4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
    ]
    static let jpegEnd: [UInt8] = [0xFF, 0xD9]
    /// 1 MiB of entropy-coded-looking bytes: random, never 0xFF, so no marker appears inside.
    static let scanBlock: [UInt8] = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...0xFE) }
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func mib(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }

/// Writes a small JPEG-shaped file and checks `tipintake redact` accepts it, so the 1 GiB run
/// measures the pipeline and not a refusal.
func checkShapeWithRedact() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intake-bench-shape-\(UUID().uuidString.prefix(6))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("shaped.jpg")
    try Data(Shape.jpegHeader + Shape.scanBlock + Shape.scanBlock + Shape.jpegEnd).write(to: input)
    let p = Process()
    p.executableURL = try BenchDeployment.binary("tipintake")
    p.arguments = ["redact", input.path, "-o", dir.appendingPathComponent("out.jpg").path]
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw BenchDeployment.Failure(description: "tipintake redact refuses the JPEG-shaped file") }
}

// MARK: (a) one huge upload

func hugeUpload() throws {
    try checkShapeWithRedact()
    let uploadBytes = Config.uploadBytes
    let fileBytes = Shape.jpegHeader.count + uploadBytes + Shape.jpegEnd.count
    let deployment = try BenchDeployment(policyYAML: BenchDeployment.policy(argon2Ops: 1, argon2Mem: 8192, maxBytes: fileBytes + 1_000_000))
    defer { deployment.stop() }
    let request = TipRequest()
    let connection = try BenchConnection(port: deployment.port)
    let start = now()
    try connection.send(request.head(port: deployment.port, fileBytes: fileBytes) + Shape.jpegHeader)
    try Shape.scanBlock.withUnsafeBytes { block in
        var sent = 0
        while sent < uploadBytes {
            let n = min(block.count, uploadBytes - sent)
            try connection.send(UnsafeRawBufferPointer(rebasing: block[0..<n]))
            sent += n
        }
    }
    try connection.send(Shape.jpegEnd + request.tail)
    let response = try connection.readResponse()
    let serverSeconds = now() - start
    guard response.status == 201 else {
        throw BenchDeployment.Failure(description: "upload answered \(response.status): \(response.body.prefix(200))")
    }
    let peak = deployment.peakRSS
    let rawSeconds = RawSecretstream.seconds(totalBytes: uploadBytes, source: Shape.scanBlock)
    let serverRate = mib(fileBytes) / serverSeconds
    let rawRate = mib(uploadBytes) / rawSeconds
    print(String(format: "(a) %.0f MiB JPEG-shaped upload, end to end over loopback", mib(fileBytes)))
    print(String(format: "    server          %8.1f MiB/s  (%.2f s, 201 received)", serverRate, serverSeconds))
    print(String(format: "    raw secretstream %7.1f MiB/s  (%.2f s, same bytes, 64 KiB chunks)", rawRate, rawSeconds))
    print(
        String(format: "    ratio           %8.1f %%     goal >= 50 %%  ", 100 * serverRate / rawRate)
            + (serverRate / rawRate >= 0.5 ? "met" : "NOT met"))
    print(String(format: "    server peak RSS %8.1f MiB    goal < 64 MiB  ", mib(peak)) + (peak > 0 && peak < 64 << 20 ? "met" : "NOT met"))
}

// MARK: (b) many tips, many clients

/// A 2 MB camera-like JPEG: ImageMagick noise with GPS, make and model written by exiftool,
/// so every tip is really scrubbed; the JPEG-shaped bytes if the tools are missing.
func twoMegabytePhoto() -> [UInt8] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intake-bench-photo-\(UUID().uuidString.prefix(6))")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("photo.jpg").path
    func tool(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
    if tool(["convert", "-size", "1700x1700", "xc:", "+noise", "Random", "-quality", "85", path]),
        tool([
            "exiftool", "-q", "-overwrite_original", "-Make=BenchCam", "-Model=B1", "-GPSLatitude=48.85", "-GPSLatitudeRef=N",
            "-GPSLongitude=2.35", "-GPSLongitudeRef=E", "-Orientation=6", "-n", path,
        ]),
        let data = FileManager.default.contents(atPath: path)
    {
        return [UInt8](data)
    }
    return Shape.jpegHeader + Shape.scanBlock + Shape.scanBlock + Shape.jpegEnd
}

func manyTips(photo: [UInt8], argon2Ops: Int, argon2Mem: Int, label: String) throws {
    let deployment = try BenchDeployment(policyYAML: BenchDeployment.policy(argon2Ops: argon2Ops, argon2Mem: argon2Mem, maxBytes: 8 << 20))
    defer { deployment.stop() }
    let request = TipRequest()
    let whole = request.head(port: deployment.port, fileBytes: photo.count) + photo + request.tail
    final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var latencies: [Double] = []
        var failures: [String] = []
    }
    let shared = Shared()
    let port = deployment.port, tipCount = Config.tipCount, clients = Config.clients
    let group = DispatchGroup()
    let start = now()
    for _ in 0..<clients {
        group.enter()
        Thread {
            defer { group.leave() }
            while true {
                shared.lock.lock()
                let index = shared.next
                shared.next += 1
                shared.lock.unlock()
                guard index < tipCount else { return }
                let t0 = now()
                do {
                    let c = try BenchConnection(port: port)
                    try c.send(whole)
                    let r = try c.readResponse()
                    let t = now() - t0
                    shared.lock.lock()
                    if r.status == 201 { shared.latencies.append(t) } else { shared.failures.append("\(r.status) \(r.body.prefix(120))") }
                    shared.lock.unlock()
                } catch {
                    shared.lock.lock(); shared.failures.append("\(error)"); shared.lock.unlock()
                }
            }
        }.start()
    }
    group.wait()
    let wall = now() - start
    let sorted = shared.latencies.sorted()
    func percentile(_ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
    let rate = Double(sorted.count) / wall
    print(String(format: "(b) %d tips × %.2f MB photo, %d concurrent clients, ", tipCount, Double(photo.count) / 1e6, clients) + label)
    print(
        String(format: "    %8.1f tips/s   goal >= 100  ", rate) + (rate >= 100 ? "met" : "NOT met")
            + String(format: "   (%d stored, %d failed, %.1f s)", sorted.count, shared.failures.count, wall))
    print(
        String(
            format: "    latency p50 %.0f ms, p99 %.0f ms, max %.0f ms   p99 goal < 250 ms  ", percentile(0.5) * 1000,
            percentile(0.99) * 1000, (sorted.last ?? .nan) * 1000) + (percentile(0.99) < 0.25 ? "met" : "NOT met"))
    print(String(format: "    server peak RSS %.1f MiB", mib(deployment.peakRSS)))
    if let first = shared.failures.first { print("    first failure: \(first)") }
}

print("IntakeBench (release tipintake serve over loopback, wall-clock time\(Config.quick ? ", --quick" : ""))")
do {
    try hugeUpload()
    let photo = twoMegabytePhoto()
    try manyTips(photo: photo, argon2Ops: 1, argon2Mem: 8192, label: "minimum Argon2id cost (ops 1, 8 KiB)")
    try manyTips(photo: photo, argon2Ops: 3, argon2Mem: 64 << 20, label: "default Argon2id cost (ops 3, 64 MiB, 2 at a time)")
} catch {
    print("IntakeBench: error: \(error)")
    exit(1)
}
