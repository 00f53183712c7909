/// The GIF verifier's decodability check of one image: its LZW data, decoded by code lengths
/// alone (the verifier needs how many pixels come out, not their values), must yield at least
/// width × height colour indices before it ends, using only codes already defined. An image
/// that fails would not open or would show a broken picture, so it is refused (`.undecodable`).
struct GIFVerifierLZW {
    private let pixels: Int
    private let minimum: Int
    private var lengths = [Int](repeating: 1, count: 4096)
    private var next = 0
    private var width = 0
    private var previous: Int?
    private var bits = 0
    private var held = 0
    private(set) var decoded = 0
    private var ended = false

    /// Nil when the minimum code size is outside 1...8.
    init?(minimumCodeSize: Int, pixels: Int) {
        guard (1...8).contains(minimumCodeSize) else { return nil }
        minimum = minimumCodeSize
        self.pixels = pixels
        reset()
    }

    private mutating func reset() {
        next = (1 << minimum) + 2
        width = minimum + 1
        previous = nil
    }

    private func undecodable(_ why: String) -> RedactionError { .undecodable(.gif, reason: why) }

    mutating func consume(_ bytes: UnsafeRawBufferPointer.SubSequence) throws(RedactionError) {
        for byte in bytes where !ended {
            held |= Int(byte) << bits
            bits += 8
            while bits >= width && !ended {
                let code = held & ((1 << width) - 1)
                held >>= width
                bits -= width
                try take(code)
            }
        }
    }

    private mutating func take(_ code: Int) throws(RedactionError) {
        let clear = 1 << minimum
        if code == clear { return reset() }
        if code == clear + 1 {
            ended = true
            return
        }
        guard let prior = previous else {
            guard code < clear else { throw undecodable("an image's data starts with an undefined code") }
            decoded += 1
            previous = code
            return
        }
        let length: Int
        if code < next {
            length = lengths[code]
        } else if code == next && next < 4096 {
            length = lengths[prior] + 1
        } else {
            throw undecodable("an image's data uses an undefined code")
        }
        decoded += length
        if next < 4096 {
            lengths[next] = lengths[prior] + 1
            next += 1
            if next == 1 << width && width < 12 { width += 1 }
        }
        previous = code
    }

    /// At the image's block terminator: every pixel must have been decoded.
    func finish() throws(RedactionError) {
        guard decoded >= pixels else { throw undecodable("an image's data ends before its last pixel") }
    }
}
