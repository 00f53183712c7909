import TiplinePolicy

/// Tells WebM from Matroska by the EBML header's DocType (`webm` / `matroska`); any other EBML
/// document, or a header too long or too odd to read in the sniffer's prefix, is not a format.
extension FormatSniffer {
    static let ebmlMagic: [UInt8] = [0x1A, 0x45, 0xDF, 0xA3]

    static func sniffEBML(_ p: [UInt8]) -> Result {
        guard zip(p, ebmlMagic).allSatisfy({ $0 == $1 }) else { return .unsupported }
        guard p.count > 4 else { return .needMoreBytes }
        let sizeLength = p[4].leadingZeroBitCount + 1
        guard sizeLength <= 8 else { return .unsupported }
        guard p.count >= 4 + sizeLength else { return .needMoreBytes }
        var size = Int(p[4] & (0xFF >> sizeLength))
        for b in p[5..<(4 + sizeLength)] { size = size << 8 | Int(b) }
        let end = 4 + sizeLength + size
        guard end <= maxPrefixBytes else { return .unsupported }
        guard p.count >= end else { return .needMoreBytes }
        var at = 4 + sizeLength
        while at + 2 < end {
            let idLength = p[at].leadingZeroBitCount + 1
            guard idLength <= 4, at + idLength < end else { return .unsupported }
            let id = p[at..<(at + idLength)].reduce(0) { $0 << 8 | Int($1) }
            let lengthByte = p[at + idLength]
            let n = lengthByte.leadingZeroBitCount + 1
            guard n <= 8, at + idLength + n <= end else { return .unsupported }
            var value = Int(lengthByte & (0xFF >> n))
            for b in p[(at + idLength + 1)..<(at + idLength + n)] { value = value << 8 | Int(b) }
            let data = at + idLength + n
            guard value <= end - data else { return .unsupported }
            if id == 0x4282 {
                switch String(decoding: p[data..<(data + value)].prefix { $0 != 0 }, as: UTF8.self) {
                case "webm": return .format(.webm)
                case "matroska": return .format(.mkv)
                default: return .unsupported
                }
            }
            at = data + value
        }
        return .unsupported
    }
}
