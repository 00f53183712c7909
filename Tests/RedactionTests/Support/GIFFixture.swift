import Foundation

/// Builds test GIFs: ImageMagick makes a looping two-frame animation, then comment,
/// plain-text, XMP and private application extensions and a trailer are spliced in.
enum GIFFixture {
    static func base(in scratch: Scratch, name: String = UUID().uuidString) throws -> [UInt8] {
        let path = scratch.path("base-\(name).gif")
        try Tools.run(
            "convert",
            ["-delay", "10", "-size", "24x16", "gradient:red-blue", "-size", "24x16", "gradient:green-yellow", "-loop", "0", path])
        return try scratch.read("base-\(name).gif")
    }

    /// Offset just after the header, screen descriptor and global colour table.
    static func afterGlobalTable(_ gif: [UInt8]) -> Int {
        let packed = gif[10]
        return 13 + (packed & 0x80 == 0 ? 0 : 3 << (Int(packed & 7) + 1))
    }

    static func subBlocks(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let n = min(255, data.count - i)
            out += [UInt8(n)] + data[i..<(i + n)]
            i += n
        }
        return out + [0]
    }

    static let comment: [UInt8] = [0x21, 0xFE] + subBlocks(Array("canary-gif-comment".utf8))
    static let plainText: [UInt8] =
        [0x21, 0x01, 12, 0, 0, 0, 0, 24, 0, 16, 0, 8, 8, 1, 0] + subBlocks(Array("canary-plain-text".utf8))
    /// XMP the way Adobe writes it in GIF: raw packet bytes, then the 258-byte "magic trailer"
    /// that makes any sub-block walk through the raw bytes land on a terminator.
    static let xmp: [UInt8] = {
        let packet = Array(JPEGFixture.xmpPacket.replacingOccurrences(of: "canary-xmp-creator", with: "canary-gif-xmp").utf8)
        return [0x21, 0xFF, 11] + Array("XMP DataXMP".utf8) + packet + [0x01] + (0...255).reversed().map { UInt8($0) } + [0x00]
    }()
    static let privateApp: [UInt8] = [0x21, 0xFF, 11] + Array("CANARYAP1.0".utf8) + subBlocks(Array("canary-app-ext".utf8))

    static func planted(in scratch: Scratch) throws -> [UInt8] {
        var gif = try base(in: scratch)
        let at = afterGlobalTable(gif)
        gif.insert(contentsOf: comment + xmp + plainText + privateApp, at: at)
        gif.insert(contentsOf: comment, at: gif.count - 1)  // before the trailer byte
        return gif + Array("canary-trailer".utf8)
    }
}
