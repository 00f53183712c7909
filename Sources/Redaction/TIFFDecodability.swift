import TiplinePolicy

/// The TIFF verifier's decodability check for one directory: the picture has a size, and
/// uncompressed strips or tiles hold at least the bytes their rows need (a decoder reading a
/// short strip shows garbage or refuses). Compressed data is left to its decoder: its size
/// depends on the content.
struct TIFFDecodability {
    /// Integer values by tag, as the verifier read them.
    let values: [Int: [Int]]

    private func one(_ tag: Int, _ fallback: Int? = nil) -> Int? { values[tag]?.first ?? fallback }
    private func undecodable(_ why: String) -> RedactionError { .undecodable(.tiff, reason: why) }

    func check(counts: [Int]) throws(RedactionError) {
        guard let width = one(0x100), let height = one(0x101), width > 0, height > 0, width <= 1 << 20, height <= 1 << 20 else {
            throw undecodable("a page has no picture size")
        }
        guard one(0x103, 1) == 1 else { return }
        let samples = one(0x115, 1) ?? 1
        let bits = values[0x102] ?? [1]
        guard samples >= 1, samples <= 64, bits.allSatisfy({ (1...64).contains($0) }) else {
            throw undecodable("a page's sample layout is not readable")
        }
        let planar = one(0x11C, 1) == 2
        let bitsPerPixel = planar ? bits[0] : (bits.count == samples ? bits.reduce(0, +) : bits[0] * samples)
        let planes = planar ? samples : 1
        let needed: [Int]
        if let tileWidth = one(0x142), let tileHeight = one(0x143) {
            guard tileWidth > 0, tileHeight > 0 else { throw undecodable("a page has empty tiles") }
            let across = (width + tileWidth - 1) / tileWidth, down = (height + tileHeight - 1) / tileHeight
            let tile = (tileWidth * bitsPerPixel + 7) / 8 * tileHeight
            needed = Array(repeating: tile, count: across * down * planes)
        } else {
            let rows = min(max(one(0x116, height) ?? height, 1), height)
            let rowBytes = (width * bitsPerPixel + 7) / 8
            let strips = (height + rows - 1) / rows
            needed = (0..<(strips * planes)).map { k in min(rows, height - (k % strips) * rows) * rowBytes }
        }
        guard needed.count == counts.count else {
            throw undecodable("a page has \(counts.count) strips or tiles where its size needs \(needed.count)")
        }
        for (have, need) in zip(counts, needed) where have < need {
            throw undecodable("an uncompressed strip or tile is shorter than its rows")
        }
    }
}
