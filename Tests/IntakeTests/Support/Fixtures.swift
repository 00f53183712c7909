import Foundation

/// Test inputs: real photos from the shared corpus with planted metadata, PNGs with text
/// chunks built here, random canaries, and receipt texts made by hand from FORMAT.md §4.
enum Fixtures {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// A random marker that cannot occur by chance in any file or log.
    static func canary(_ label: String = "canary") -> String {
        label + "-" + (0..<12).map { _ in String("abcdefghjkmnpqrstvwxyz23456789".randomElement()!) }.joined()
    }

    // MARK: Corpus

    static let corpusRoot: URL? = {
        var candidates = [
            Binaries.repo.appendingPathComponent("../shared/corpus").standardizedFileURL,
            Binaries.repo.appendingPathComponent("../../shared/corpus").standardizedFileURL,
        ]
        if let env = ProcessInfo.processInfo.environment["TIPLINE_CORPUS"] { candidates.insert(URL(fileURLWithPath: env), at: 0) }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("exif-samples").path) }
    }()

    // MARK: Photos

    /// Metadata values planted into the test JPEG; none may survive redaction.
    struct PlantedJPEG {
        var bytes: [UInt8]
        var planted: [String]
    }

    /// A GPS-tagged camera JPEG (corpus DSCN0010.jpg; an ImageMagick picture with the same
    /// kinds of tags when the corpus is absent), rotated (Orientation 6), with a serial number,
    /// a comment and an XMP creator planted by exiftool.
    static func gpsRotatedJPEG(in dir: URL) throws -> PlantedJPEG {
        let path = dir.appendingPathComponent("gps-\(UUID().uuidString.prefix(6)).jpg").path
        if let corpus = corpusRoot {
            try FileManager.default.copyItem(atPath: corpus.appendingPathComponent("exif-samples/jpg/gps/DSCN0010.jpg").path, toPath: path)
            chmod(path, 0o644)
        } else {
            try check(Run.tool("convert", ["-size", "320x240", "gradient:blue-yellow", "-quality", "90", path]))
            try check(
                Run.tool(
                    "exiftool",
                    [
                        "-q", "-overwrite_original", "-Make=CanaryMake", "-Model=CanaryModel", "-GPSLatitude=43.4674",
                        "-GPSLatitudeRef=N", "-GPSLongitude=11.8851", "-GPSLongitudeRef=E", path,
                    ]))
        }
        let serial = canary("serial"), comment = canary("comment"), creator = canary("xmpcreator")
        try check(
            Run.tool(
                "exiftool",
                [
                    "-q", "-overwrite_original", "-n", "-Orientation=6", "-SerialNumber=\(serial)", "-Comment=\(comment)",
                    "-XMP-dc:Creator=\(creator)", "-Artist=\(canary("artist"))", path,
                ]))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        return PlantedJPEG(bytes: bytes, planted: [serial, comment, creator])
    }

    /// A PNG (ImageMagick gradient) with a tEXt Author and an iTXt Description chunk inserted
    /// after IHDR, each carrying a canary. Returns the bytes and the canaries.
    static func textPNG(in dir: URL, width: Int = 40, height: Int = 30) throws -> PlantedJPEG {
        let path = dir.appendingPathComponent("base-\(UUID().uuidString.prefix(6)).png").path
        try check(
            Run.tool("convert", ["-size", "\(width)x\(height)", "gradient:red-blue", "-define", "png:exclude-chunks=date,time", "-strip", path]))
        let base = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let author = canary("png-author"), itxt = canary("png-itxt")
        let text = pngChunk("tEXt", Array("Author\0\(author)".utf8))
        let international = pngChunk("iTXt", Array("Description\0\0\0\0\0\(itxt)".utf8))
        // Signature (8) + IHDR (4 + 4 + 13 + 4 = 25).
        let bytes = Array(base[0..<33]) + text + international + Array(base[33...])
        return PlantedJPEG(bytes: bytes, planted: [author, itxt])
    }

    /// A small valid PNG with nothing planted.
    static func plainPNG(in dir: URL) throws -> [UInt8] {
        let path = dir.appendingPathComponent("plain-\(UUID().uuidString.prefix(6)).png").path
        try check(Run.tool("convert", ["-size", "8x8", "xc:green", "-define", "png:exclude-chunks=date,time", "-strip", path]))
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A valid baseline JPEG of random noise: `side` 300 gives about 160 kB, 320 about 180 kB,
    /// 400 about 290 kB.
    static func noiseJPEG(in dir: URL, side: Int) throws -> [UInt8] {
        let path = dir.appendingPathComponent("noise-\(UUID().uuidString.prefix(6)).jpg").path
        try check(Run.tool("convert", ["-size", "\(side)x\(side)", "xc:", "+noise", "Random", "-quality", "92", path]))
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let n = UInt32(data.count)
        let td = Array(type.utf8) + data
        let c = crc32(td)
        return bigEndian(n) + td + bigEndian(c)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    @discardableResult
    static func check(_ r: Run.Result) throws -> Run.Result {
        guard r.status == 0 else { throw Failure(description: "tool failed (\(r.status)): \(r.err)") }
        return r
    }

    // MARK: Receipts (FORMAT.md §4, written here independently of Sources/Crypto)

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// GF(2⁵) multiply with x⁵ + x² + 1.
    static func gfMultiply(_ a: Int, _ b: Int) -> Int {
        var a = a, b = b, p = 0
        while b != 0 {
            if b & 1 == 1 { p ^= a }
            b >>= 1
            a <<= 1
            if a & 0b10_0000 != 0 { a ^= 0b10_0101 }
        }
        return p
    }

    /// check = α¹·v₀ ⊕ α²·v₁ ⊕ … ⊕ α²⁴·v₂₃, α = 2.
    static func checkValue(_ values: [Int]) -> Int {
        var check = 0, weight = 2
        for v in values {
            check ^= gfMultiply(weight, v)
            weight = gfMultiply(weight, 2)
        }
        return check
    }

    /// A well-formed receipt for 15 random bytes: it parses, and matches no tip.
    static func randomReceipt() -> String {
        let bytes = (0..<15).map { _ in UInt8.random(in: 0...255) }
        var values: [Int] = []
        for i in 0..<24 {
            var v = 0
            for bit in 0..<5 {
                let pos = i * 5 + bit
                v = v << 1 | Int((bytes[pos / 8] >> (7 - UInt8(pos % 8))) & 1)
            }
            values.append(v)
        }
        values.append(checkValue(values))
        let symbols = values.map { alphabet[$0] }
        return stride(from: 0, to: 25, by: 5).map { String(symbols[$0..<($0 + 5)]) }.joined(separator: "-")
    }

    /// The same receipt with its check symbol changed: right length and alphabet, wrong check.
    static func withWrongCheck(_ receipt: String) -> String {
        var chars = Array(receipt)
        let last = chars[chars.count - 1]
        chars[chars.count - 1] = alphabet.first { $0 != last }!
        return String(chars)
    }
}

extension Array where Element == UInt8 {
    /// glibc's memmem: a byte loop is far too slow in a debug build over a whole volume image.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return withUnsafeBytes { h in needle.withUnsafeBytes { n in glibcMemmem(h.baseAddress, h.count, n.baseAddress, n.count) != nil } }
    }
}

/// memmem is a GNU extension the Glibc module does not export.
@_silgen_name("memmem")
private func glibcMemmem(_ hay: UnsafeRawPointer?, _ hayCount: Int, _ needle: UnsafeRawPointer?, _ needleCount: Int) -> UnsafeMutableRawPointer?
