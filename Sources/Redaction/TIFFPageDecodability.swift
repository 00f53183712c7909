import TiplinePolicy

/// The TIFF scrubber's own rule for a page a decoder can open: it has a picture size, and an
/// uncompressed page has a readable sample layout and strips or tiles that hold every byte
/// their rows need. The verifier checks the same rule with its own reader
/// (`TIFFDecodability`); the scrubber refuses such a page up front instead of rebuilding a
/// file its verifier would refuse (fuzz findings in Tests/FuzzReplayTests/Inputs/tiff/).
enum TIFFPageDecodability {
    static func require(_ entries: [TIFFDirectoryEntry], _ reader: TIFFDirectoryReader) throws(RedactionError) {
        func values(_ tag: UInt16) throws(RedactionError) -> [Int]? {
            guard let entry = entries.first(where: { $0.tag == tag }) else { return nil }
            return try reader.integers(entry)
        }
        func undecodable(_ why: String) -> RedactionError { .undecodable(.tiff, reason: why) }
        let side = 1...(1 << 20)
        guard let width = try values(256)?.first, let height = try values(257)?.first, side.contains(width), side.contains(height) else {
            throw undecodable("a page has no picture size")
        }
        guard (try values(259)?.first ?? 1) == 1 else { return }  // compressed: its decoder judges the data
        let samples = try values(277)?.first ?? 1
        let bits = try values(258) ?? [1]
        guard (1...64).contains(samples), !bits.isEmpty, bits.allSatisfy({ (1...64).contains($0) }) else {
            throw undecodable("a page's sample layout is not readable")
        }
        let planar = try values(284)?.first == 2
        let bitsPerPixel = planar ? bits[0] : (bits.count == samples ? bits.reduce(0, +) : bits[0] * samples)
        let planes = planar ? samples : 1
        var needed: [Int] = []
        if let tileWidth = try values(322)?.first, let tileHeight = try values(323)?.first {
            guard tileWidth > 0, tileHeight > 0 else { throw undecodable("a page has empty tiles") }
            let tiles = ((width + tileWidth - 1) / tileWidth) * ((height + tileHeight - 1) / tileHeight) * planes
            needed = Array(repeating: (tileWidth * bitsPerPixel + 7) / 8 * tileHeight, count: tiles)
        } else {
            let rowsPerStrip = min(max(try values(278)?.first ?? height, 1), height)
            let strips = (height + rowsPerStrip - 1) / rowsPerStrip
            let rowBytes = (width * bitsPerPixel + 7) / 8
            let plane = (0..<strips).map { min(rowsPerStrip, height - $0 * rowsPerStrip) * rowBytes }
            needed = Array(repeating: plane, count: planes).flatMap { $0 }
        }
        var counts = try values(325) ?? []
        if counts.isEmpty { counts = try values(279) ?? [] }
        guard counts.count == needed.count else {
            throw undecodable("a page has \(counts.count) strips or tiles where its size needs \(needed.count)")
        }
        if zip(counts, needed).contains(where: { $0 < $1 }) { throw undecodable("an uncompressed strip or tile is shorter than its rows") }
    }
}
