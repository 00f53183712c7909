/// The tests' own reading of a HEIF file's item tables (independent of the scrubber and the
/// verifier): item ids from `iinf`, locations from `iloc`, references from `iref`, the
/// property associations from `ipma`.
struct HEIFTables {
    var items: [Int: String] = [:]
    var locations: [Int: [Range<Int>]] = [:]
    var references: [(type: String, from: Int, to: [Int])] = []
    var associated: Set<Int> = []
    var metaSize = 0

    init(_ d: [UInt8]) {
        func be(_ at: Int, _ n: Int) -> Int { d[at..<(at + n)].reduce(0) { $0 << 8 | Int($1) } }
        func boxes(_ start: Int, _ end: Int) -> [(String, Int, Int, Int)] {
            var list: [(String, Int, Int, Int)] = []
            var at = start
            while at + 8 <= end {
                var size = be(at, 4), body = at + 8
                if size == 1 { size = be(at + 8, 8); body = at + 16 }
                if size == 0 { size = end - at }
                guard size >= 8, at + size <= end else { break }
                list.append((String(decoding: d[(at + 4)..<(at + 8)], as: UTF8.self), at, body, at + size))
                at += size
            }
            return list
        }
        guard let meta = boxes(0, d.count).first(where: { $0.0 == "meta" }) else { return }
        metaSize = meta.3 - meta.1
        for (type, _, body, end) in boxes(meta.2 + 4, meta.3) {
            switch type {
            case "iinf":
                let skip = d[body] == 0 ? 6 : 8
                for (t, _, e, _) in boxes(body + skip, end) where t == "infe" {
                    let w = d[e] == 2 ? 2 : 4
                    items[be(e + 4, w)] = String(decoding: d[(e + 4 + w + 2)..<(e + 4 + w + 6)], as: UTF8.self)
                }
            case "iref":
                let w = d[body] == 0 ? 2 : 4
                for (t, _, e, _) in boxes(body + 4, end) {
                    let n = be(e + w, 2)
                    references.append((t, be(e, w), (0..<n).map { be(e + w + 2 + $0 * w, w) }))
                }
            case "iloc":
                let v = Int(d[body])
                let os = Int(d[body + 4] >> 4), ls = Int(d[body + 4] & 15), bs = Int(d[body + 5] >> 4)
                let ix = v == 0 ? 0 : Int(d[body + 5] & 15), w = v < 2 ? 2 : 4
                var at = body + 6 + w
                for _ in 0..<be(body + 6, w) {
                    let id = be(at, w)
                    at += w + (v > 0 ? 2 : 0) + 2
                    let base = bs > 0 ? be(at, bs) : 0
                    at += bs
                    var ranges: [Range<Int>] = []
                    for _ in 0..<be(at, 2) {
                        let off = os > 0 ? be(at + 2 + ix, os) : 0, len = ls > 0 ? be(at + 2 + ix + os, ls) : 0
                        ranges.append((base + off)..<(base + off + len))
                        at += ix + os + ls
                    }
                    at += 2
                    locations[id] = ranges
                }
            case "iprp":
                for (t, _, e, _) in boxes(body, end) where t == "ipma" {
                    let w = d[e] == 0 ? 2 : 4, wide = d[e + 3] & 1 == 1
                    var at = e + 8
                    for _ in 0..<be(e + 4, 4) {
                        associated.insert(be(at, w))
                        at += w + 1 + Int(d[at + w]) * (wide ? 2 : 1)
                    }
                }
            default: continue
            }
        }
    }
}
