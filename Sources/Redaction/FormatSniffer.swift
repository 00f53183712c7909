import TiplinePolicy

/// Decides a file's format from its first bytes only. The file name and the client's
/// content type are chosen by the sender and prove nothing, so they are never consulted.
public enum FormatSniffer {
    /// The outcome of looking at a prefix of a file.
    public enum Result: Equatable, Sendable {
        case format(MediaFormat)
        /// The prefix is too short to decide; feed more bytes (or, at end of file, refuse).
        case needMoreBytes
        case unsupported
    }

    /// Longest prefix `sniff` ever asks for: an ISOBMFF `ftyp` box is read up to this size.
    public static let maxPrefixBytes = 256

    /// HEIF-family brands (HEIC, HEIF image/sequence, AVIF) accepted as major or compatible brand.
    static let heifBrands: Set<String> = [
        "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis", "mif2",
    ]

    public static func sniff(_ p: [UInt8]) -> Result {
        // Each rule: the bytes it needs, and whether they match. A rule that cannot be decided
        // yet keeps the answer at `needMoreBytes` rather than guessing.
        var undecided = false
        func check(_ magic: [UInt8?]) -> Bool {
            if p.count < magic.count {
                if zip(p, magic).allSatisfy({ $1 == nil || $0 == $1 }) { undecided = true }
                return false
            }
            return zip(p, magic).allSatisfy { $1 == nil || $0 == $1 }
        }
        if check([0xFF, 0xD8, 0xFF]) { return .format(.jpeg) }
        if check([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .format(.png) }
        if check(Array("GIF87a".utf8)) || check(Array("GIF89a".utf8)) { return .format(.gif) }
        if check([0x52, 0x49, 0x46, 0x46, nil, nil, nil, nil, 0x57, 0x45, 0x42, 0x50]) { return .format(.webp) }
        if check([0x49, 0x49, 0x2A, 0x00]) || check([0x4D, 0x4D, 0x00, 0x2A]) { return .format(.tiff) }
        switch sniffFtyp(p) {
        case .format(let f): return .format(f)
        case .needMoreBytes: undecided = true
        case .unsupported: break
        }
        return undecided ? .needMoreBytes : .unsupported
    }

    /// ISOBMFF: `size` `ftyp` major-brand minor-version compatible-brands…; an image if any brand is HEIF/AVIF.
    private static func sniffFtyp(_ p: [UInt8]) -> Result {
        if p.count < 8 {
            let ftyp: [UInt8] = Array("ftyp".utf8)
            let have = p.count > 4 ? Array(p[4...]) : []
            return zip(have, ftyp).allSatisfy({ $0 == $1 }) ? .needMoreBytes : .unsupported
        }
        guard p[4...7].elementsEqual("ftyp".utf8) else { return .unsupported }
        let size = Int(p[0]) << 24 | Int(p[1]) << 16 | Int(p[2]) << 8 | Int(p[3])
        guard size >= 16, size <= maxPrefixBytes, size % 4 == 0 else { return .unsupported }
        guard p.count >= size else { return .needMoreBytes }
        var brandOffsets = [8]
        brandOffsets += stride(from: 16, to: size, by: 4)
        for o in brandOffsets {
            let brand = String(decoding: p[o..<o + 4], as: UTF8.self)
            if heifBrands.contains(brand) { return .format(.heif) }
        }
        return .unsupported
    }
}
