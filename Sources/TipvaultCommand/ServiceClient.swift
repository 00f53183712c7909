import Foundation
import TiplineCrypto
import TiplineVault

/// A minimal HTTP/1.1 client for the investigator service: one signed request per loopback
/// connection (FORMAT.md §14), `Connection: close`, the whole answer read before returning.
/// Plain sockets rather than URLSession so the exact signed target goes on the wire unchanged
/// and nothing (proxies, cookies, caches) is added behind the investigator's back.
struct ServiceClient {
    let remote: RemoteConfig
    let key: InvestigatorSigningKey

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    /// Sends a signed request; throws `serviceUnreachable` when no answer came and
    /// `serviceRefused` for any status other than 200/201.
    func send(_ method: String, _ target: String, body: [UInt8] = []) throws(VaultError) -> Response {
        let signature = RequestSignature.sign(
            method: method, target: target, body: body, key: key, timestamp: Int64(Date().timeIntervalSince1970))
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(remote.host):\(remote.port)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if !body.isEmpty { head += "Content-Type: application/octet-stream\r\n" }
        for (name, value) in signature.headers { head += "\(name): \(value)\r\n" }
        let raw = try exchange(Array((head + "\r\n").utf8) + body)
        let response = try Self.parse(raw, url: remote.url)
        guard response.status == 200 || response.status == 201 else {
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            let error = json?["error"] as? [String: Any]
            let code = (error?["code"] as? String) ?? (json?["code"] as? String) ?? "http_\(response.status)"
            let message = (error?["message"] as? String) ?? (json?["message"] as? String) ?? ""
            throw .serviceRefused(status: response.status, code: code, message: Output.clean(message, limit: 200))
        }
        return response
    }

    private func exchange(_ request: [UInt8]) throws(VaultError) -> [UInt8] {
        let isV6 = remote.host.contains(":")
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .serviceUnreachable(url: remote.url, reason: "no socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        /// `connect` with either address family's struct, passed as the generic `sockaddr`.
        func connect<Address>(to address: Address) -> Int32 {
            withUnsafePointer(to: address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
            }
        }
        let connected: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(remote.port).bigEndian)
            inet_pton(AF_INET6, remote.host, &address.sin6_addr)
            connected = connect(to: address)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(remote.port).bigEndian)
            inet_pton(AF_INET, remote.host, &address.sin_addr)
            connected = connect(to: address)
        }
        guard connected == 0 else { throw .serviceUnreachable(url: remote.url, reason: String(cString: strerror(errno))) }
        // A server that closes early must be an error here, not a SIGPIPE that ends tipvault.
        signal(SIGPIPE, SIG_IGN)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { write(fd, $0.baseAddress! + sent, request.count - sent) }
            guard n > 0 else { throw .serviceUnreachable(url: remote.url, reason: "the connection closed while sending") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw .serviceUnreachable(url: remote.url, reason: "no complete answer") }
            received += buffer[0..<n]
            guard received.count <= 1 << 30 else { throw .serviceUnreachable(url: remote.url, reason: "the answer is too large") }
        }
        return received
    }

    /// Status line, headers, then a Content-Length or chunked body; a short body is an error.
    static func parse(_ raw: [UInt8], url: String) throws(VaultError) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }),
            let head = String(bytes: raw[0..<end], encoding: .utf8)
        else { throw .serviceUnreachable(url: url, reason: "the answer is not HTTP") }
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw .serviceUnreachable(url: url, reason: "the answer is not HTTP") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var decoded: [UInt8] = []
            var offset = 0
            while true {
                guard let lineEnd = (offset..<max(offset, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }),
                    let sizeText = String(bytes: body[offset..<lineEnd], encoding: .utf8),
                    let size = Int(sizeText.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16)
                else { throw .serviceUnreachable(url: url, reason: "the answer was cut short") }
                offset = lineEnd + 2
                if size == 0 { break }
                guard offset + size <= body.count else { throw .serviceUnreachable(url: url, reason: "the answer was cut short") }
                decoded += body[offset..<offset + size]
                offset += size + 2
            }
            body = decoded
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { throw .serviceUnreachable(url: url, reason: "the answer was cut short") }
            body = Array(body[0..<length])
        }
        return Response(status: status, headers: headers, body: body)
    }
}
