/// The WebP verifier's decodability check, on its own reading of the bitstream headers: a VP8
/// chunk must be a key frame with the VP8 start code and a first partition inside the chunk,
/// a VP8L chunk must carry its signature and version 0, and the size each declares must match
/// the canvas (a still picture) or its animation frame; an alpha chunk must use a known method
/// and, uncompressed, hold a byte per pixel. A picture failing these would not open.
enum WebPVerifierBitstreams {
    private static func undecodable(_ why: String) -> RedactionError { .undecodable(.webp, reason: why) }

    private static func le(_ data: ArraySlice<UInt8>, _ at: Int, _ width: Int) -> Int {
        (0..<width).reduce(0) { $0 | Int(data[data.startIndex + at + $1]) << (8 * $1) }
    }

    /// The (width, height) a VP8 or VP8L payload declares.
    static func size(_ type: String, _ payload: ArraySlice<UInt8>) throws(RedactionError) -> (Int, Int) {
        if type == "VP8 " {
            guard payload.count >= 10 else { throw undecodable("the picture data is cut short") }
            let tag = le(payload, 0, 3)
            guard tag & 1 == 0 else { throw undecodable("the picture does not start with a key frame") }
            guard le(payload, 3, 3) == 0x2A_019D else { throw undecodable("the picture data has no start code") }
            guard tag >> 5 <= payload.count - 10 else { throw undecodable("the picture data is cut short") }
            let size = (le(payload, 6, 2) & 0x3FFF, le(payload, 8, 2) & 0x3FFF)
            guard size.0 > 0, size.1 > 0 else { throw undecodable("the picture has no size") }
            return size
        }
        guard payload.count >= 5, payload[payload.startIndex] == 0x2F else { throw undecodable("the lossless picture has no signature") }
        let bits = le(payload, 1, 4)
        guard bits >> 29 == 0 else { throw undecodable("the lossless picture uses an unknown version") }
        return ((bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1)
    }

    /// Checks one image: `chunks` are the (type, payload) of a still file's top level or of
    /// one ANMF frame; `expected` is the canvas or frame size, nil for a simple file.
    static func check(_ chunks: [(String, ArraySlice<UInt8>)], expected: (Int, Int)?) throws(RedactionError) {
        let images = chunks.filter { $0.0 == "VP8 " || $0.0 == "VP8L" }
        guard images.count == 1, let (type, payload) = images.first else {
            throw undecodable(images.isEmpty ? "it holds no picture data" : "a picture has two bitstreams")
        }
        let size = try size(type, payload)
        if let expected, expected != size { throw undecodable("the picture's size disagrees with its canvas") }
        guard let alpha = chunks.first(where: { $0.0 == "ALPH" })?.1 else { return }
        guard type == "VP8 " else { throw undecodable("an alpha chunk comes with a lossless picture") }
        guard let method = alpha.first.map({ $0 & 3 }), method <= 1 else { throw undecodable("the transparency uses an unknown method") }
        if method == 0 && alpha.count - 1 < size.0 * size.1 { throw undecodable("the transparency data is cut short") }
    }
}
