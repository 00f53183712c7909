/// The JPEG verifier's decodability check, from its own reading of the frame, table and scan
/// headers: a frame header (SOF) comes before the first scan, every scan names components of
/// that frame whose quantisation tables (DQT) and, for Huffman coding, entropy tables (DHT)
/// are defined by then, and every scan carries entropy-coded data. A file without any DHT is
/// allowed: decoders use the standard tables then, as motion-JPEG frames expect.
struct JPEGVerifierTables {
    private var components: [Int: Int] = [:]  // component id → quantisation table
    private var arithmetic = false
    private var sawFrame = false
    private var quantisation: Set<Int> = []
    private var dc: Set<Int> = []
    private var ac: Set<Int> = []
    private var anyHuffman = false
    private(set) var scans = 0
    private var inScan = false
    private var scanBytes = 0

    private func undecodable(_ why: String) -> RedactionError { .undecodable(.jpeg, reason: why) }

    /// A segment with `code` and `payload` has been read in full.
    mutating func segment(_ code: UInt8, _ payload: [UInt8]) throws(RedactionError) {
        switch code {
        case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
            guard !sawFrame else { throw undecodable("it has two frame headers") }
            guard payload.count >= 6, payload.count >= 6 + 3 * Int(payload[5]), payload[5] > 0 else {
                throw undecodable("the frame header is too short")
            }
            guard payload[1...4].contains(where: { $0 != 0 }) else { throw undecodable("the picture has no size") }
            for k in 0..<Int(payload[5]) { components[Int(payload[6 + 3 * k])] = Int(payload[8 + 3 * k] & 0x0F) }
            sawFrame = true
            arithmetic = code >= 0xC9
        case 0xDB:
            var at = 0
            while at < payload.count {
                quantisation.insert(Int(payload[at] & 0x0F))
                at += 1 + (payload[at] >> 4 == 0 ? 64 : 128)
            }
            guard at == payload.count else { throw undecodable("a quantisation table is cut short") }
        case 0xC4:
            var at = 0
            while at + 17 <= payload.count {
                let count = payload[(at + 1)..<(at + 17)].reduce(0) { $0 + Int($1) }
                if payload[at] >> 4 == 0 { dc.insert(Int(payload[at] & 0x0F)) } else { ac.insert(Int(payload[at] & 0x0F)) }
                at += 17 + count
            }
            guard at == payload.count else { throw undecodable("a Huffman table is cut short") }
            anyHuffman = true
        case 0xDA:
            try scan(payload)
        default:
            break
        }
    }

    private mutating func scan(_ payload: [UInt8]) throws(RedactionError) {
        guard sawFrame else { throw undecodable("a scan comes before the frame header") }
        let count = payload.first.map(Int.init) ?? 0
        guard count > 0, payload.count == 4 + 2 * count else { throw undecodable("a scan header is malformed") }
        let start = payload[1 + 2 * count], refining = payload[3 + 2 * count] >> 4 != 0
        for k in 0..<count {
            guard let table = components[Int(payload[1 + 2 * k])] else {
                throw undecodable("a scan names a component the frame does not have")
            }
            guard quantisation.contains(table) else { throw undecodable("a quantisation table is missing") }
            guard !arithmetic, anyHuffman else { continue }
            let tables = payload[2 + 2 * k]
            if start == 0 && !refining && !dc.contains(Int(tables >> 4)) { throw undecodable("a Huffman table is missing") }
            if payload[2 + 2 * count] > 0 && !ac.contains(Int(tables & 0x0F)) { throw undecodable("a Huffman table is missing") }
        }
        scans += 1
        inScan = true
        scanBytes = 0
    }

    /// Entropy-coded bytes of the current scan.
    mutating func entropy(_ n: Int) { scanBytes += n }

    /// A marker ended the current scan (or there was none).
    mutating func endScan() throws(RedactionError) {
        guard inScan else { return }
        inScan = false
        guard scanBytes > 0 else { throw undecodable("a scan holds no picture data") }
    }

    /// At EOI.
    mutating func finish() throws(RedactionError) {
        try endScan()
        guard scans > 0 else { throw undecodable("it holds no picture data") }
    }
}
