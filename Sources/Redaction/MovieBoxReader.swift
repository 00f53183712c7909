import TiplinePolicy

/// One box inside the held `moov` (or `ftyp`): `start..<end` is the whole box, `payload..<end`
/// what follows its header.
struct MovieBox {
    var type: FourCC
    var start: Int
    var payload: Int
    var end: Int
    var payloadCount: Int { end - payload }
}

/// A four-character box or codec code, held as its big-endian integer.
struct FourCC: Hashable, CustomStringConvertible {
    var value: UInt32
    init(_ s: StaticString) {
        precondition(s.utf8CodeUnitCount == 4, "a four-character code has four characters")
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(s.utf8Start[i]) }
        value = v
    }
    init(value: UInt32) { self.value = value }
    /// Printable form for error messages: codes are chosen by the file's writer, so anything
    /// outside printable ASCII is shown as '?'.
    var description: String {
        String(
            (0..<4).map { i -> Character in
                let b = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i)))
                return (0x20...0x7E).contains(b) ? Character(Unicode.Scalar(b)) : "?"
            })
    }
}

/// Bounds-checked big-endian reads and box splitting over bytes the movie scrubber holds
/// (`ftyp` and `moov` only; media data never passes through here). Every size is checked
/// against its parent; nesting is bounded by the callers, which only descend into the
/// containers they rebuild.
struct MovieBoxReader {
    let bytes: [UInt8]
    /// Where `bytes[0]` was in the original file, so errors name real offsets.
    let fileOffset: Int

    func malformed(_ at: Int, _ reason: String) -> RedactionError {
        .malformed(.mp4, offset: fileOffset + at, reason: reason)
    }

    func be(_ at: Int, _ width: Int, in range: Range<Int>) throws(RedactionError) -> UInt64 {
        guard at >= range.lowerBound, width <= 8, at <= range.upperBound - width else {
            throw malformed(at, "a field runs past the end of its box")
        }
        var value: UInt64 = 0
        for i in 0..<width { value = value << 8 | UInt64(bytes[at + i]) }
        return value
    }

    func int(_ at: Int, _ width: Int, in range: Range<Int>) throws(RedactionError) -> Int {
        let v = try be(at, width, in: range)
        guard v <= UInt64(Int32.max) * 1024 else { throw malformed(at, "a size or count is too large") }
        return Int(v)
    }

    /// Splits `range` into boxes. Size 0 (to the end) and 64-bit sizes are read; a box that
    /// does not fit its parent, or more than `maxBoxes` siblings, is malformed.
    func boxes(in range: Range<Int>, maxBoxes: Int = 4096) throws(RedactionError) -> [MovieBox] {
        var found: [MovieBox] = []
        var pos = range.lowerBound
        while pos < range.upperBound {
            guard range.upperBound - pos >= 8 else { throw malformed(pos, "a box header is cut short") }
            var size = Int(try be(pos, 4, in: range))
            let type = FourCC(value: UInt32(try be(pos + 4, 4, in: range)))
            var header = 8
            if size == 1 {
                let large = try be(pos + 8, 8, in: range)
                guard large <= UInt64(range.upperBound - pos) else { throw malformed(pos, "box '\(type)' runs past its parent") }
                size = Int(large)
                header = 16
            } else if size == 0 {
                size = range.upperBound - pos
            }
            if type == FourCC("uuid") { header += 16 }
            guard size >= header else { throw malformed(pos, "box '\(type)' is smaller than its header") }
            guard size <= range.upperBound - pos else { throw malformed(pos, "box '\(type)' runs past its parent") }
            found.append(MovieBox(type: type, start: pos, payload: pos + header, end: pos + size))
            guard found.count <= maxBoxes else { throw malformed(pos, "too many boxes") }
            pos += size
        }
        return found
    }

    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }
}

/// Writes boxes for the rebuilt movie. Everything it writes is small (the `moov` is bounded),
/// so 32-bit sizes always suffice; the media data box has its own header writer.
enum MovieBoxWriter {
    static func box(_ type: FourCC, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 8)
        appendBE(&out, UInt64(payload.count + 8), 4)
        appendBE(&out, UInt64(type.value), 4)
        out += payload
        return out
    }

    static func fullBox(_ type: FourCC, version: UInt8, flags: UInt32, _ payload: [UInt8]) -> [UInt8] {
        var body: [UInt8] = [version]
        appendBE(&body, UInt64(flags), 3)
        return box(type, body + payload)
    }

    static func appendBE(_ out: inout [UInt8], _ value: UInt64, _ width: Int) {
        for i in stride(from: width - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}
