import Foundation

/// The bench's input: camera-size JPEGs (3000×2000, quality 92, about 2 MB) carrying what a
/// phone or camera plants: Make, Model, serial, GPS, capture dates, a 160×120 EXIF thumbnail,
/// XMP creator and dates, a COM comment, Orientation 6, and bytes after EOI. The picture is
/// made once by ImageMagick (noise over a gradient, so it compresses like a photo); each copy
/// gets its own metadata from one exiftool process.
struct Fixtures {
    let directory: URL
    let files: [String]

    static func make(count: Int, in directory: URL) throws -> Fixtures {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let base = directory.appendingPathComponent("base.jpg").path
        let thumb = directory.appendingPathComponent("thumb.jpg").path
        if !fm.fileExists(atPath: base) {
            _ = try Measure.child([
                "convert", "-size", "3000x2000", "gradient:navy-orange", "-seed", "7", "-attenuate", "0.3",
                "+noise", "Gaussian", "-quality", "92", base,
            ])
        }
        if !fm.fileExists(atPath: thumb) {
            _ = try Measure.child(["convert", base, "-resize", "160x120", "-quality", "80", thumb])
        }
        let photos = directory.appendingPathComponent("photos", isDirectory: true)
        let files = (1...count).map { photos.appendingPathComponent(String(format: "IMG_%04d.jpg", $0)).path }
        if files.allSatisfy({ fm.fileExists(atPath: $0) }) { return Fixtures(directory: photos, files: files) }

        try? fm.removeItem(at: photos)
        try fm.createDirectory(at: photos, withIntermediateDirectories: true)
        let pixels = try Data(contentsOf: URL(fileURLWithPath: base))
        var arguments: [String] = []
        for (i, file) in files.enumerated() {
            try pixels.write(to: URL(fileURLWithPath: file))
            arguments += [
                "-q", "-overwrite_original", "-n",
                "-Make=BenchCam", "-Model=BenchCam X\(i % 7)", "-SerialNumber=BENCH-\(100_000 + i)",
                "-LensSerialNumber=LENS-\(i)", "-OwnerName=Bench Owner \(i)", "-Artist=Bench Artist",
                "-Copyright=Bench Copyright", "-Software=BenchCam firmware 1.\(i)",
                "-DateTimeOriginal=2026:0\(1 + i % 9):1\(i % 10) 12:34:56", "-CreateDate=2026:01:01 08:00:00",
                "-GPSLatitude=\(48 + Double(i) / 1000)", "-GPSLatitudeRef=N", "-GPSLongitude=\(11 + Double(i) / 1000)",
                "-GPSLongitudeRef=E", "-GPSAltitude=519", "-Orientation=6",
                "-ThumbnailImage<=\(thumb)",
                "-XMP-dc:Creator=bench xmp creator \(i)", "-XMP-xmp:CreateDate=2026:01:01 08:00:00",
                "-XMP-photoshop:City=Benchville", "-Comment=bench comment \(i)",
                file, "-execute",
            ]
        }
        let argfile = directory.appendingPathComponent("exiftool-args.txt")
        try arguments.joined(separator: "\n").write(to: argfile, atomically: true, encoding: .utf8)
        _ = try Measure.child(["exiftool", "-@", argfile.path])
        for (i, file) in files.enumerated() {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("bench trailer \(i): data a phone app appended after EOI".utf8))
            try handle.close()
        }
        return Fixtures(directory: photos, files: files)
    }

    var totalBytes: Int {
        files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
    }
}
