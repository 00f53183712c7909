import TiplinePolicy

extension MovieVerifier {
    /// One box inside the held `moov`: indices into its bytes.
    struct Box {
        var type: UInt32
        var start: Int
        var body: Int
        var end: Int
        var name: String { MovieVerifier.name(type) }
        var bodyCount: Int { end - body }
    }

    /// Bounds-checked big-endian reads inside one box.
    struct Cursor {
        let bytes: [UInt8]
        var pos: Int
        let end: Int
        let what: String
        var left: Int { end - pos }

        init(_ bytes: [UInt8], _ box: Box, from: Int? = nil) {
            self.bytes = bytes
            self.pos = from ?? box.body
            self.end = box.end
            self.what = box.name
        }

        func need(_ n: Int) throws(RedactionError) {
            guard n >= 0, n <= end - pos else { throw MovieVerifier.fail("\(what) is too short") }
        }
        mutating func skip(_ n: Int) throws(RedactionError) {
            try need(n)
            pos += n
        }
        mutating func u8() throws(RedactionError) -> UInt8 {
            try need(1)
            pos += 1
            return bytes[pos - 1]
        }
        mutating func uint(_ n: Int) throws(RedactionError) -> UInt64 {
            try need(n)
            var v: UInt64 = 0
            for b in bytes[pos..<(pos + n)] { v = v << 8 | UInt64(b) }
            pos += n
            return v
        }
        mutating func u16() throws(RedactionError) -> Int { Int(try uint(2)) }
        mutating func u32() throws(RedactionError) -> Int { Int(try uint(4)) }
        mutating func zeros(_ n: Int) throws(RedactionError) -> Bool {
            try need(n)
            defer { pos += n }
            return bytes[pos..<(pos + n)].allSatisfy { $0 == 0 }
        }
    }

    enum Handler { case video, sound }

    /// Reads the held `moov` (whose first byte is at file offset `base`) against the allowlist.
    struct MoovParser {
        let bytes: [UInt8]
        let base: Int
        let quickTime: Bool
        typealias Box = MovieVerifier.Box
        typealias Cursor = MovieVerifier.Cursor
        static let maxChildren = 256

        func at(_ box: Box) -> String { "\(box.name) at offset \(base + box.start)" }

        func code(_ s: String) -> UInt32 { MovieVerifier.code(s) }

        /// The boxes that tile `box`'s bytes from `from` to its end.
        func children(of box: Box, from: Int? = nil) throws(RedactionError) -> [Box] {
            var i = from ?? box.body
            var out: [Box] = []
            while i < box.end {
                guard box.end - i >= 8 else { throw movieFail("\(at(box)) ends inside a child box header") }
                var c = Cursor(bytes, Box(type: 0, start: i, body: i, end: box.end))
                let size32 = try c.uint(4)
                let type = UInt32(try c.uint(4))
                var size = Int(size32)
                if size32 == 1 {
                    let large = try c.uint(8)
                    guard large <= UInt64(box.end - i) else { throw movieFail("a child of \(at(box)) overruns it") }
                    size = Int(large)
                }
                let child = Box(type: type, start: i, body: c.pos, end: i + size)
                guard size32 != 0 else { throw movieFail("\(at(child)) has size 0") }
                guard size >= c.pos - i, size <= box.end - i else { throw movieFail("\(at(child)) overruns \(box.name)") }
                out.append(child)
                guard out.count <= Self.maxChildren else { throw movieFail("\(at(box)) has too many children") }
                i += size
            }
            return out
        }

        /// Each child's type must be listed, once; `required` ones must all be there.
        func pick(_ kids: [Box], in parent: Box, required: [String], optional: [String] = []) throws(RedactionError) -> [String: Box] {
            var found: [String: Box] = [:]
            for k in kids {
                let n = k.name
                guard required.contains(n) || optional.contains(n) else { throw movieFail("\(at(k)) is not allowed in \(parent.name)") }
                guard found[n] == nil else { throw movieFail("\(at(k)) appears twice in \(parent.name)") }
                found[n] = k
            }
            for r in required where found[r] == nil { throw movieFail("\(at(parent)) has no \(r)") }
            return found
        }

        func parse() throws(RedactionError) -> Layout {
            let moov = Box(type: code("moov"), start: 0, body: 0, end: bytes.count)
            let kids = try children(of: moov)
            guard let first = kids.first, first.type == code("mvhd") else { throw movieFail("moov does not start with mvhd") }
            try zeroTimes(first, v0: 100, v1: 112)
            guard kids.count >= 2 else { throw movieFail("moov has no trak") }
            var layout = Layout(moov: bytes, tracks: [], chunks: [])
            for k in kids.dropFirst() {
                guard k.type == code("trak") else { throw movieFail("\(at(k)) is not allowed in moov") }
                try trak(k, into: &layout)
            }
            return layout
        }

        /// A full box whose creation and modification times (4 bytes in v0, 8 in v1) must be 0.
        func zeroTimes(_ box: Box, v0: Int, v1: Int) throws(RedactionError) {
            var c = Cursor(bytes, box)
            let version = try c.u8()
            try c.skip(3)
            guard version <= 1 else { throw movieFail("\(at(box)) has version \(version)") }
            guard box.bodyCount == (version == 0 ? v0 : v1) else { throw movieFail("\(at(box)) has the wrong size") }
            let width = version == 0 ? 4 : 8
            guard try c.uint(width) == 0 else { throw movieFail("\(at(box)) has a creation time") }
            guard try c.uint(width) == 0 else { throw movieFail("\(at(box)) has a modification time") }
        }

        func trak(_ trak: Box, into layout: inout Layout) throws(RedactionError) {
            let t = try pick(try children(of: trak), in: trak, required: ["tkhd", "mdia"], optional: ["edts"])
            try zeroTimes(t["tkhd"]!, v0: 84, v1: 96)
            if let edts = t["edts"] {
                let e = try pick(try children(of: edts), in: edts, required: ["elst"])
                try table(e["elst"]!, entry: { $0 == 0 ? 12 : 20 })
            }
            let mdia = t["mdia"]!
            let m = try pick(try children(of: mdia), in: mdia, required: ["mdhd", "hdlr", "minf"])
            try zeroTimes(m["mdhd"]!, v0: 24, v1: 36)
            let handler = try hdlr(m["hdlr"]!)
            let minf = m["minf"]!
            let header = handler == .video ? "vmhd" : "smhd"
            let f = try pick(try children(of: minf), in: minf, required: [header, "dinf", "stbl"])
            let mh = f[header]!
            guard mh.bodyCount == (handler == .video ? 12 : 8), bytes[mh.body] == 0 else { throw movieFail("\(at(mh)) is malformed") }
            try dinf(f["dinf"]!)
            try stbl(f["stbl"]!, handler: handler, into: &layout)
        }

        func hdlr(_ box: Box) throws(RedactionError) -> Handler {
            var c = Cursor(bytes, box)
            guard try c.zeros(4) else { throw movieFail("\(at(box)) has a version or flags") }
            let predefined = UInt32(try c.uint(4))
            guard predefined == 0 || predefined == code("mhlr") else { throw movieFail("\(at(box)) has a component type other than mhlr") }
            let type = UInt32(try c.uint(4))
            guard try c.zeros(12) else { throw movieFail("\(at(box)) has non-zero reserved fields") }
            let handler: Handler
            switch type {
            case code("vide"): handler = .video
            case code("soun"): handler = .sound
            default: throw movieFail("\(at(box)) has handler type \(MovieVerifier.name(type)), not vide or soun")
            }
            let name = Array(bytes[c.pos..<box.end])
            var accepted: [[UInt8]] = []
            for constant in ["VideoHandler", "SoundHandler"] {
                accepted.append(Array(constant.utf8) + [0])
                if quickTime { accepted.append([UInt8(constant.utf8.count)] + Array(constant.utf8)) }
            }
            guard accepted.contains(name) else { throw movieFail("\(at(box)) has a name other than the constant handler name") }
            return handler
        }

        func dinf(_ dinf: Box) throws(RedactionError) {
            let d = try pick(try children(of: dinf), in: dinf, required: ["dref"])
            let dref = d["dref"]!
            var c = Cursor(bytes, dref)
            guard try c.zeros(4) else { throw movieFail("\(at(dref)) has a version or flags") }
            guard try c.u32() == 1 else { throw movieFail("\(at(dref)) does not have exactly one entry") }
            let entries = try children(of: dref, from: c.pos)
            guard entries.count == 1, let url = entries.first, url.type == code("url ") else {
                throw movieFail("\(at(dref)) entry is not one self-contained url")
            }
            guard url.bodyCount == 4, bytes[url.body..<url.end] == [0, 0, 0, 1] else {
                throw movieFail("\(at(url)) is not self-contained (flags 1, no location)")
            }
        }

        /// A full box holding an entry count and entries of `entry(version)` bytes, exactly.
        @discardableResult
        func table(_ box: Box, entry: (UInt8) -> Int, versions: ClosedRange<UInt8> = 0...1) throws(RedactionError) -> (count: Int, first: Int) {
            var c = Cursor(bytes, box)
            let version = try c.u8()
            try c.skip(3)
            guard versions.contains(version) else { throw movieFail("\(at(box)) has version \(version)") }
            let count = try c.u32()
            guard count <= c.left / entry(version), c.left == count * entry(version) else {
                throw movieFail("\(at(box)) entry count does not fit its size")
            }
            return (count, c.pos)
        }
    }
}

/// The verifier's one error, for the nested readers.
func movieFail(_ why: String) -> RedactionError { .verificationFailed(.mp4, reason: why) }
