import Foundation

/// Builds `multipart/form-data` bodies the way a browser does (RFC 7578), with switches to
/// break them on purpose: a truncated end, a missing closing boundary, garbage part headers.
struct MultipartBody {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var bytes: [UInt8]
    }

    var boundary = "----TiplineTestBoundary" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    var parts: [Part] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    @discardableResult
    mutating func field(_ name: String, _ value: String) -> Self {
        parts.append(Part(name: name, filename: nil, contentType: nil, bytes: Array(value.utf8)))
        return self
    }

    @discardableResult
    mutating func file(_ filename: String, _ bytes: [UInt8], contentType: String = "application/octet-stream", name: String = "attachments") -> Self {
        parts.append(Part(name: name, filename: filename, contentType: contentType, bytes: bytes))
        return self
    }

    /// One part's header block, boundary line included.
    func head(_ part: Part) -> [UInt8] {
        var h = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
        if let f = part.filename { h += "; filename=\"\(f)\"" }
        h += "\r\n"
        if let t = part.contentType { h += "Content-Type: \(t)\r\n" }
        h += "\r\n"
        return Array(h.utf8)
    }

    var closing: [UInt8] { Array("--\(boundary)--\r\n".utf8) }

    /// The complete body.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        for p in parts { out += head(p) + p.bytes + [13, 10] }
        return out + closing
    }

    /// The body without its closing boundary line: a multipart stream that just stops.
    var withoutClosingBoundary: [UInt8] {
        var out: [UInt8] = []
        for p in parts { out += head(p) + p.bytes + [13, 10] }
        return out
    }

    /// A typical tip: message, category, then the given files.
    static func tip(
        message: String, category: String = "fraud", files: [(String, [UInt8])] = [], extra: [(String, String)] = []
    ) -> MultipartBody {
        var m = MultipartBody()
        m.field("message", message)
        m.field("category", category)
        for (k, v) in extra { m.field(k, v) }
        for (name, bytes) in files { m.file(name, bytes, contentType: Self.mime(for: name)) }
        return m
    }

    static func mime(for name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        default: return "application/octet-stream"
        }
    }
}

extension RawConnection {
    /// POSTs a multipart body on a fresh connection.
    static func postMultipart(
        port: Int, _ path: String, _ body: MultipartBody, headers: [(String, String)] = [], sourceAddress: String? = nil
    ) throws -> RawResponse {
        try exchange(
            port: port, "POST", path, headers: [("Content-Type", body.contentType)] + headers, body: body.bytes,
            sourceAddress: sourceAddress)
    }

    /// POSTs JSON on a fresh connection.
    static func postJSON(port: Int, _ path: String, _ object: Any) throws -> RawResponse {
        let body = try JSONSerialization.data(withJSONObject: object)
        return try exchange(port: port, "POST", path, headers: [("Content-Type", "application/json")], body: [UInt8](body))
    }

    /// POSTs an urlencoded form on a fresh connection.
    static func postForm(port: Int, _ path: String, _ fields: [(String, String)]) throws -> RawResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try exchange(
            port: port, "POST", path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8))
    }
}
