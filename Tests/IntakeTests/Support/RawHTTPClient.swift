import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately small HTTP/1.1 client over a POSIX socket, so a test controls every byte:
/// the exact request text, slow sending, truncated bodies, half-closes and disconnects.
/// A real client library would "fix" the very mistakes these tests need to make.
final class RawConnection: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let fd: Int32
    private(set) var closed = false

    /// Connects to `127.0.0.1:port`. `sourceAddress` binds the client end first (any address in
    /// 127/8 is loopback on Linux), so a test can look for its own client address in the logs.
    init(port: Int, sourceAddress: String? = nil, timeout: Double = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if let sourceAddress {
            var local = Self.address(sourceAddress, port: 0)
            let rc = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { Glibc.close(fd); throw Failure(description: "bind(\(sourceAddress)) failed: errno \(errno)") }
        }
        var remote = Self.address("127.0.0.1", port: port)
        let rc = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { Glibc.close(fd); throw Failure(description: "connect to port \(port) failed: errno \(errno)") }
    }

    deinit { close() }

    private static func address(_ text: String, port: Int) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, text, &a.sin_addr)
        return a
    }

    /// Sends every byte; throws when the peer has gone (EPIPE/ECONNRESET) or the send times out.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "send failed: errno \(errno)")
            }
            offset += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Half-close: the server sees end of stream but can still answer.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// One recv; nil at end of stream, throws on timeout or reset.
    func receiveSome(max: Int = 65536) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, max, 0) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure(description: "timed out waiting for the server") }
            throw Failure(description: "recv failed: errno \(errno)")
        }
    }

    private var buffered: [UInt8] = []

    /// Reads one response: status line, headers, then a body framed by Content-Length,
    /// chunked encoding, or the end of the connection.
    func readResponse() throws -> RawResponse {
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffered) {
                let head = String(decoding: buffered[0..<end], as: UTF8.self)
                buffered.removeFirst(end + 4)
                var response = try RawResponse(head: head)
                if let length = response.header("content-length").flatMap({ Int($0) }) {
                    while buffered.count < length {
                        guard let more = try receiveSome() else { throw Failure(description: "body cut short") }
                        buffered += more
                    }
                    response.body = Array(buffered[0..<length])
                    buffered.removeFirst(length)
                } else if response.header("transfer-encoding")?.lowercased() == "chunked" {
                    response.body = try readChunked()
                } else if response.status == 204 || response.status == 304 {
                    response.body = []
                } else {
                    while let more = try receiveSome() { buffered += more }
                    response.body = buffered
                    buffered = []
                }
                return response
            }
            guard let more = try receiveSome() else {
                throw Failure(description: "connection closed before a response (\(buffered.count) bytes read)")
            }
            buffered += more
        }
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let size = Int(line.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16) ?? -1
            guard size >= 0 else { throw Failure(description: "bad chunk size line") }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            while buffered.count < size + 2 {
                guard let more = try receiveSome() else { throw Failure(description: "chunk cut short") }
                buffered += more
            }
            body += buffered[0..<size]
            buffered.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = Self.find([13, 10], in: buffered) {
                let line = String(decoding: buffered[0..<end], as: UTF8.self)
                buffered.removeFirst(end + 2)
                return line
            }
            guard let more = try receiveSome() else { throw Failure(description: "closed inside chunked body") }
            buffered += more
        }
    }

    /// True when the server closes (or resets) the connection within `seconds`; any bytes it
    /// sends first (e.g. a 408 page) are ignored.
    func waitForClose(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN) | Self.pollReadHangUpValue, revents: 0)
            let r = poll(&p, 1, 100)
            if r > 0 {
                var b = [UInt8](repeating: 0, count: 4096)
                let n = b.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, Int32(MSG_DONTWAIT)) }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { return true }
            }
        }
        return false
    }

    /// POLLRDHUP (Linux): the peer closed its end.
    static let pollReadHangUpValue: Int16 = 0x2000

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if Array(hay[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }
}

/// A parsed response. Header names compare case-insensitively; repeated headers are kept.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8] = []

    init(head: String) throws {
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let code = Int(statusLine[1]) else {
            throw RawConnection.Failure(description: "not an HTTP status line: \(head.prefix(80))")
        }
        status = code
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    func headers(named name: String) -> [String] { headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value) }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object, or nil when it is not one.
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }

    /// `error.code` of a JSON error body.
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }
    var errorFile: String? { (json?["error"] as? [String: Any])?["file"] as? String }
}

/// Builds request bytes by hand.
enum RawRequest {
    static func bytes(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        contentLength: Bool = true, host: String = "tipline.test"
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if contentLength && (!body.isEmpty || method == "POST") { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}

extension RawConnection {
    /// One request on a fresh connection, one response.
    static func exchange(
        port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        sourceAddress: String? = nil, timeout: Double = 60
    ) throws -> RawResponse {
        let c = try RawConnection(port: port, sourceAddress: sourceAddress, timeout: timeout)
        defer { c.close() }
        let bytes = RawRequest.bytes(method, path, headers: headers, body: body)
        if bytes.count <= 65536 {
            try c.send(bytes)
            return try c.readResponse()
        }
        let pieces = stride(from: 0, to: bytes.count, by: 65536).map { Array(bytes[$0..<Swift.min($0 + 65536, bytes.count)]) }
        return try c.sendWhileReading(AnyIterator(pieces.makeIterator())).get()
    }

    /// Sends `pieces` while another thread reads, so a server that answers early (413) and
    /// closes is heard even though sending then fails.
    func sendWhileReading(_ pieces: AnyIterator<[UInt8]>, pause: Double = 0) -> Result<RawResponse, Error> {
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var result: Result<RawResponse, Error>?
        }
        let box = Box()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            let r = Result { try self.readResponse() }
            box.lock.lock(); box.result = r; box.lock.unlock()
            finished.signal()
        }
        thread.start()
        while let piece = pieces.next() {
            box.lock.lock(); let done = box.result != nil; box.lock.unlock()
            if done { break }
            do { try send(piece) } catch { break }
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        finished.wait()
        return box.result!
    }
}
