import Foundation
import Hummingbird
import NIOCore
import TiplineVault

/// `GET /investigator/v1/tips/{id}/envelopes/{seq}` (FORMAT.md §15): the envelope header and
/// every part's ciphertext, read from SQLite one chunk at a time while the response is written,
/// so a large attachment is never held in memory whole.
extension InvestigatorRoutes {
    static let streamMagic = Array("TLENV".utf8)
    static let streamVersion: UInt8 = 1

    func envelope(_ request: Request, tip text: String?, seq text2: String?) async throws -> Response {
        _ = try await auth.authenticate(request)
        let tip = try Self.tipID(text)
        guard let seqText = text2, let seq = Int(seqText), seq >= 0, String(seq) == seqText else { throw InvestigatorError.notFound }
        let vault = self.vault
        guard let location = try await blocking({ try vault.envelopeLocation(tip: tip, seq: seq) }) else {
            throw InvestigatorError.notFound
        }
        let parts = location.partLengths
        let length = Self.streamMagic.count + 1 + 4 + location.header.count + 4 + parts.reduce(0) { $0 + 12 + $1.bytes }
        let head = Self.streamMagic + [Self.streamVersion] + Self.be32(location.header.count) + location.header + Self.be32(parts.count)
        let pool = services.pool
        let body = ResponseBody(contentLength: length) { writer in
            var prefix = head
            var partIndex = -1
            for chunk in location.chunks {
                if partIndex < 0 || parts[partIndex].part != chunk.part {
                    partIndex += 1
                    prefix += Self.be32(Int(parts[partIndex].part)) + Self.be64(parts[partIndex].bytes)
                }
                if !prefix.isEmpty {
                    try await writer.write(ByteBuffer(bytes: prefix))
                    prefix = []
                }
                // Purged mid-stream: end the connection short of Content-Length, never pad.
                guard let data = try await pool.runIfActive({ try vault.chunk(of: location, chunk) }), data.count == chunk.bytes else {
                    throw InvestigatorError.notFound
                }
                try await writer.write(ByteBuffer(bytes: data))
            }
            if !prefix.isEmpty { try await writer.write(ByteBuffer(bytes: prefix)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    static func be32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).bigEndian, Array.init) }
    static func be64(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(value).bigEndian, Array.init) }
}
