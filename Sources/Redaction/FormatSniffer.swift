import TiplinePolicy

/// Decides a file's format from its first bytes only. The file name and the client's
/// content type are chosen by the sender and prove nothing, so they are never consulted.
public enum FormatSniffer {
    /// The outcome of looking at a prefix of a file.
    public enum Result: Equatable, Sendable {
        case format(MediaFormat)
        /// The file starts with an ID3v2 tag of `tagBytes` bytes (header, frames, footer). What
        /// follows it decides the format; the tag itself is dropped whole (`ID3v2LeadingTag`).
        case leadingID3(tagBytes: Int)
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
        if check(Array("RIFF".utf8) + [nil, nil, nil, nil] + Array("WAVE".utf8))
            || check(Array("RF64".utf8) + [nil, nil, nil, nil] + Array("WAVE".utf8))
            || check(Array("BW64".utf8) + [nil, nil, nil, nil] + Array("WAVE".utf8))
        {
            return .format(.wav)
        }
        if check(Array("fLaC".utf8)) { return .format(.flac) }
        if check(Array("OggS".utf8) + [0x00]) { return .format(.ogg) }
        if check(ebmlMagic) { return sniffEBML(p) }
        if check(Array("ID3".utf8)) {
            guard p.count >= 10 else { return .needMoreBytes }
            return id3Tag(p)
        }
        switch sniffMPEGAudio(p) {
        case .format(let f): return .format(f)
        case .needMoreBytes: undecided = true
        default: break
        }
        switch sniffFtyp(p) {
        case .format(let f): return .format(f)
        case .needMoreBytes: undecided = true
        default: break
        }
        if sniffQuickTimeWithoutFtyp(p) { return .format(.mp4) }
        return undecided ? .needMoreBytes : .unsupported
    }

    /// ID3v2 header: "ID3", major version 2-4, revision, flags, 28-bit sync-safe size (+10 for
    /// a footer, flag 0x10 in v2.4). Anything else starting with "ID3" is refused.
    private static func id3Tag(_ p: [UInt8]) -> Result {
        guard (2...4).contains(p[3]), p[4] != 0xFF, p[6...9].allSatisfy({ $0 < 0x80 }) else { return .unsupported }
        let size = Int(p[6]) << 21 | Int(p[7]) << 14 | Int(p[8]) << 7 | Int(p[9])
        let footer = p[3] == 4 && p[5] & 0x10 != 0 ? 10 : 0
        return .leadingID3(tagBytes: 10 + size + footer)
    }

    /// An MPEG-1/2/2.5 Layer I-III frame header: 11 sync bits, a layer, a bitrate index that is
    /// neither "free" nor "bad", a valid sample rate. AAC in ADTS (layer 0) is not MP3.
    private static func sniffMPEGAudio(_ p: [UInt8]) -> Result {
        guard let b0 = p.first, b0 == 0xFF else { return .unsupported }
        guard p.count >= 4 else { return p.count == 1 || p[1] & 0xE0 == 0xE0 ? .needMoreBytes : .unsupported }
        let version = (p[1] >> 3) & 0x3
        let layer = (p[1] >> 1) & 0x3
        let bitrate = p[2] >> 4
        let rate = (p[2] >> 2) & 0x3
        guard p[1] & 0xE0 == 0xE0, version != 1, layer != 0, bitrate != 0, bitrate != 0xF, rate != 3 else {
            return .unsupported
        }
        return .format(.mp3)
    }

    /// Old QuickTime files have no `ftyp`: they start straight with a movie, media data or
    /// padding box. The scrubber decides whether what follows is a movie it can rebuild.
    private static func sniffQuickTimeWithoutFtyp(_ p: [UInt8]) -> Bool {
        guard p.count >= 8 else { return false }
        let size = Int(p[0]) << 24 | Int(p[1]) << 16 | Int(p[2]) << 8 | Int(p[3])
        let type = String(decoding: p[4..<8], as: UTF8.self)
        guard ["moov", "mdat", "wide", "free", "skip"].contains(type) else { return false }
        return size == 1 || size >= 8
    }

    /// ISOBMFF: `size` `ftyp` major-brand minor-version compatible-brands…; an image if any brand
    /// is HEIF/AVIF, otherwise a movie (MOV, MP4, 3GP, M4A): the movie scrubber refuses layouts
    /// it cannot rebuild, so an unknown brand is its question, not the sniffer's.
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
        return .format(.mp4)
    }
}
