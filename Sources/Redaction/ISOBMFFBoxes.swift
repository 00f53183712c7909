import TiplinePolicy

/// One ISOBMFF box located in the buffered file: `start..<end` is the whole box,
/// `payload..<end` its contents after the (compact, large or uuid) header.
struct ISOBMFFBox: Sendable {
    var type: UInt32
    var start: Int
    var payload: Int
    var end: Int

    static func code(_ s: String) -> UInt32 { s.utf8.reduce(0) { $0 << 8 | UInt32($1) } }
}

/// Bounds-checked big-endian reads and box splitting over the buffered HEIF/AVIF file.
/// Every size is checked against its parent before use; `size == 0` means "to the end of the
/// parent", `size == 1` a 64-bit size. Nesting is limited by the callers (they only descend
/// into the few containers they understand).
struct ISOBMFFBytes {
    var bytes: [UInt8]

    func truncated(_ at: Int) -> RedactionError { .truncated(.heif, offset: at) }

    func u8(_ at: Int) throws(RedactionError) -> Int {
        guard at >= 0, at < bytes.count else { throw truncated(bytes.count) }
        return Int(bytes[at])
    }

    func be(_ at: Int, _ width: Int) throws(RedactionError) -> Int {
        guard width <= 8, at >= 0, at <= bytes.count - width else { throw truncated(bytes.count) }
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(bytes[at + i]) }
        guard value <= UInt64(Int.max) else { throw .malformed(.heif, offset: at, reason: "64-bit field too large") }
        return Int(value)
    }

    /// Splits `from..<to` into boxes; refuses more than `maxBoxes` siblings.
    func boxes(from: Int, to: Int, maxBoxes: Int = 100_000) throws(RedactionError) -> [ISOBMFFBox] {
        var found: [ISOBMFFBox] = []
        var pos = from
        while pos < to {
            guard to - pos >= 8 else { throw boundary(pos, to) }
            var size = try be(pos, 4)
            let type = UInt32(try be(pos + 4, 4))
            var header = 8
            if size == 1 {
                guard to - pos >= 16 else { throw boundary(pos, to) }
                size = try be(pos + 8, 8)
                header = 16
            } else if size == 0 {
                size = to - pos
            }
            if type == ISOBMFFBox.code("uuid") { header += 16 }
            guard size >= header else { throw .malformed(.heif, offset: pos, reason: "box size smaller than its header") }
            guard size <= to - pos else { throw boundary(pos, to) }
            found.append(ISOBMFFBox(type: type, start: pos, payload: pos + header, end: pos + size))
            pos += size
            guard found.count <= maxBoxes else { throw .malformed(.heif, offset: pos, reason: "too many boxes") }
        }
        return found
    }

    private func boundary(_ pos: Int, _ to: Int) -> RedactionError {
        to >= bytes.count ? .truncated(.heif, offset: pos) : .malformed(.heif, offset: pos, reason: "box runs past its parent")
    }

    /// Turns a box into `free` and zeroes everything after its header: offsets stay valid,
    /// the contents are gone.
    mutating func neutralise(_ box: ISOBMFFBox) {
        let free: [UInt8] = [0x66, 0x72, 0x65, 0x65]
        bytes.replaceSubrange((box.start + 4)..<(box.start + 8), with: free)
        zero(box.payload..<box.end)
        if box.type == ISOBMFFBox.code("uuid") { zero((box.start + 8)..<box.payload) }
    }

    mutating func zero(_ range: Range<Int>) {
        for i in range { bytes[i] = 0 }
    }
}
