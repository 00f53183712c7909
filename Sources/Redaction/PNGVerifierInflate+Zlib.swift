import CZlib

/// The PNG verifier's own inflation of a kept iCCP profile, through zlib's one-shot
/// `uncompress` rather than the scrubber's streaming `PNGInflate`, so a bug in one reading
/// does not pass both. Nil when the stream is damaged or inflates beyond `limit`.
enum PNGVerifierInflate {
    static func uncompressed(_ compressed: [UInt8], limit: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: limit)
        var length = UInt(limit)
        var consumed = UInt(compressed.count)
        let status = out.withUnsafeMutableBufferPointer { o in
            compressed.withUnsafeBufferPointer { i in
                uncompress2(o.baseAddress, &length, i.baseAddress, &consumed)
            }
        }
        guard status == Z_OK, consumed == UInt(compressed.count) else { return nil }
        return Array(out[0..<Int(length)])
    }
}
