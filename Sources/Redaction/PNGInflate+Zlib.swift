import CZlib

/// Inflates a PNG iCCP profile (a zlib stream) so the scrubber can judge it, never beyond
/// `limit` bytes: a small chunk that inflates to gigabytes is a bomb, not a colour profile.
enum PNGInflate {
    /// The inflated bytes, or nil when the stream is damaged, does not end, has bytes after
    /// its end, or would exceed `limit`.
    static func inflate(_ compressed: ArraySlice<UInt8>, limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 64 * 1024)
        let input = Array(compressed)
        return input.withUnsafeBufferPointer { (inBuffer) -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = UInt32(inBuffer.count)
            while true {
                let status = piece.withUnsafeMutableBufferPointer { (outBuffer) -> Int32 in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = piece.count - Int(stream.avail_out)
                guard produced <= limit - out.count else { return nil }
                out += piece[0..<produced]
                switch status {
                case Z_STREAM_END: return stream.avail_in == 0 ? out : nil
                case Z_OK: if produced == 0 && stream.avail_in == 0 { return nil }
                default: return nil
                }
            }
        }
    }
}
