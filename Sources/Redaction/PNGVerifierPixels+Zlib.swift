import CZlib

/// The PNG verifier's decodability check of the default image: the IDAT stream, inflated by
/// the verifier's own zlib stream, must end and hold exactly the bytes IHDR promises
/// (height × (1 + row bytes), or the sum over the seven Adam7 passes), and every row must
/// start with a filter type 0...4. A picture that fails this would not open, so it is refused
/// with `.undecodable` rather than stored. Bytes are counted and dropped, never kept.
final class PNGVerifierPixels {
    /// (row bytes without the filter byte, rows) per pass, in stream order.
    private var segments: [(rowBytes: Int, rows: Int)]
    private let expected: Int
    private var stream = z_stream()
    private var produced = 0
    private var nextFilter = 0
    private var segment = 0
    private var rowsLeft = 0
    private var ended = false
    private var out = [UInt8](repeating: 0, count: 32 * 1024)

    /// Nil when IHDR's fields are not a valid PNG combination.
    init?(ihdr: [UInt8]) {
        guard ihdr.count == 13 else { return nil }
        let width = ihdr[0..<4].reduce(0) { $0 << 8 | Int($1) }, height = ihdr[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let depth = Int(ihdr[8]), colour = ihdr[9]
        let channels: [UInt8: (Int, Set<Int>)] = [
            0: (1, [1, 2, 4, 8, 16]), 2: (3, [8, 16]), 3: (1, [1, 2, 4, 8]), 4: (2, [8, 16]), 6: (4, [8, 16]),
        ]
        guard let (count, depths) = channels[colour], depths.contains(depth), width > 0, height > 0,
            width <= 1 << 24, height <= 1 << 24, ihdr[10] == 0, ihdr[11] == 0, ihdr[12] <= 1
        else { return nil }
        let bits = count * depth
        let passes: [(Int, Int, Int, Int)] =
            ihdr[12] == 0 ? [(0, 0, 1, 1)] : [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        segments = passes.compactMap { x0, y0, dx, dy in
            let w = (width - x0 + dx - 1) / dx, h = (height - y0 + dy - 1) / dy
            return w > 0 && h > 0 ? ((w * bits + 7) / 8, h) : nil
        }
        expected = segments.reduce(0) { $0 + $1.rows * (1 + $1.rowBytes) }
        rowsLeft = segments[0].rows
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    }

    deinit { inflateEnd(&stream) }

    private func undecodable(_ why: String) -> RedactionError { .undecodable(.png, reason: why) }

    /// Feeds the next piece of IDAT data.
    func consume(_ piece: UnsafeRawBufferPointer) throws(RedactionError) {
        guard !piece.isEmpty, !ended else { return }  // zlib ignores data after the stream's end
        stream.next_in = UnsafeMutablePointer(mutating: piece.baseAddress!.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(piece.count)
        while stream.avail_in > 0 && !ended {
            let status = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let n = out.count - Int(stream.avail_out)
            try rows(n)
            switch status {
            case Z_STREAM_END: ended = true
            case Z_OK, Z_BUF_ERROR: continue
            default: throw undecodable("the picture data is not a valid compressed stream")
            }
        }
        stream.next_in = nil
    }

    /// Checks the filter byte of every row that starts in the `n` bytes just inflated.
    private func rows(_ n: Int) throws(RedactionError) {
        guard n <= expected - produced else { throw undecodable("more picture data than the picture's size") }
        while nextFilter < produced + n {
            guard out[nextFilter - produced] <= 4 else { throw undecodable("a row of the picture has an invalid filter") }
            nextFilter += 1 + segments[segment].rowBytes
            rowsLeft -= 1
            if rowsLeft == 0, segment + 1 < segments.count {
                segment += 1
                rowsLeft = segments[segment].rows
            }
        }
        produced += n
    }

    /// At IEND: the stream must have ended with every row present.
    func finish() throws(RedactionError) {
        guard ended, produced == expected else { throw undecodable("the picture data ends early") }
    }
}
