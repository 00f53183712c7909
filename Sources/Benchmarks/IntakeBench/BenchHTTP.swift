import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over a POSIX socket: the benchmark measures the server,
/// not a client library.
final class BenchConnection {
    struct Failure: Error, CustomStringConvertible { let description: String }
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        var tv = timeval(tv_sec: 600, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw Failure(description: "connect failed: errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "send failed: errno \(errno)")
            }
            offset += n
        }
    }

    func send(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try send($0) } }

    /// Status code and body of one response framed by Content-Length.
    func readResponse() throws -> (status: Int, body: String) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        func more() throws {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 16384, 0) }
            guard n > 0 else { throw Failure(description: "connection closed or timed out (errno \(errno))") }
            data += buffer[0..<n]
        }
        var headEnd: Int?
        while headEnd == nil {
            try more()
            if data.count >= 4 {
                for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
                    headEnd = i + 4
                    break
                }
            }
        }
        let head = String(decoding: data[0..<headEnd!], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1
        let length =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while data.count < headEnd! + length { try more() }
        return (status, String(decoding: data[headEnd!..<(headEnd! + length)], as: UTF8.self))
    }
}

/// multipart/form-data pieces for one tip with one file.
struct TipRequest {
    let boundary = "----IntakeBenchBoundary7MA4YWxkTrZu0gW"

    func head(port: Int, fileBytes: Int) -> [UInt8] {
        let partHead = partsBeforeFile
        let length = partHead.count + fileBytes + tail.count
        let request =
            "POST /api/v1/tips HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: multipart/form-data; boundary=\(boundary)\r\nContent-Length: \(length)\r\nConnection: close\r\n\r\n"
        return Array(request.utf8) + partHead
    }

    var partsBeforeFile: [UInt8] {
        Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nbenchmark tip\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nother\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
                .utf8)
    }

    var tail: [UInt8] { Array("\r\n--\(boundary)--\r\n".utf8) }
}
