import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// "Keep location" keeps the position, not the capture time: GPSTimeStamp/GPSDateStamp go
/// with the capture-date opt-in, and the free-text GPS tags never survive. exiftool plants
/// the tags and reads the output; the verifiers are also fed hand-made outputs.
@Suite struct GPSOptInTests {
    static let canaries = ["CANARY-METHOD", "CANARY-AREA"]

    /// A JPEG whose EXIF exiftool wrote: position, altitude, GPS time and date, free text.
    static func gpsJPEG(in scratch: Scratch) throws -> [UInt8] {
        let path = try scratch.write("gps-in.jpg", try JPEGFixture.base(in: scratch))
        try Tools.run(
            "exiftool",
            [
                "-q", "-overwrite_original", "-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945",
                "-GPSLongitudeRef=E", "-GPSAltitude=35", "-GPSAltitudeRef=0", "-GPSMapDatum=WGS-84",
                "-GPSTimeStamp=07:08:09", "-GPSDateStamp=2024:05:06", "-GPSProcessingMethod=CANARY-METHOD",
                "-GPSAreaInformation=CANARY-AREA", "-GPSSpeed=12", "-GPSSpeedRef=K", path,
            ])
        return try scratch.read("gps-in.jpg")
    }

    /// The TIFF block of the first EXIF APP1 in `jpeg`.
    static func tiff(of jpeg: [UInt8]) -> [UInt8] {
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let n = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])
            let body = Array(jpeg[(i + 4)..<(i + 2 + n)])
            if jpeg[i + 1] == 0xE1, body.starts(with: Array("Exif\0\0".utf8)) { return Array(body.dropFirst(6)) }
            i += 2 + n
        }
        return []
    }

    /// The same exiftool-written EXIF block, carried in a PNG eXIf chunk.
    static func gpsPNG(in scratch: Scratch) throws -> [UInt8] {
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.Chunk(type: "eXIf", data: tiff(of: try gpsJPEG(in: scratch))), at: 1)
        return PNGFixture.assemble(c)
    }

    static func scrub(
        _ input: [UInt8], name: String, in scratch: Scratch, keepLocation: Bool, keepCaptureDate: Bool
    ) throws -> (output: [UInt8], report: RedactionReport, tags: [String: String]) {
        let (output, report) = try Redactor(policy: RedactionPolicy()).redact(
            input, keepLocation: keepLocation, keepCaptureDate: keepCaptureDate)
        let tags = try Tools.exiftool(try scratch.write(name, output))
        for canary in canaries { #expect(!XMPScan.contains(output[...], Array(canary.utf8)), "\(name): \(canary)") }
        return (output, report, tags)
    }

    static func inputs(in scratch: Scratch) throws -> [(String, [UInt8])] {
        [("jpg", try gpsJPEG(in: scratch)), ("png", try gpsPNG(in: scratch))]
    }

    @Test func theFixtureCarriesEveryPlantedGPSTag() throws {
        let scratch = try Scratch()
        for (ext, input) in try Self.inputs(in: scratch) {
            let tags = try Tools.exiftool(try scratch.write("fixture.\(ext)", input))
            for key in [
                "GPS:GPSLatitude", "GPS:GPSLongitude", "GPS:GPSAltitude", "GPS:GPSTimeStamp", "GPS:GPSDateStamp",
                "GPS:GPSProcessingMethod", "GPS:GPSAreaInformation", "GPS:GPSSpeed",
            ] {
                #expect(tags[key] != nil, "\(ext): exiftool does not see \(key) in the fixture")
            }
        }
    }

    @Test func keepLocationKeepsThePositionButNotTheTimeOrFreeText() throws {
        let scratch = try Scratch()
        for (ext, input) in try Self.inputs(in: scratch) {
            let (_, report, tags) = try Self.scrub(
                input, name: "loc.\(ext)", in: scratch, keepLocation: true, keepCaptureDate: false)
            #expect(tags["GPS:GPSLatitude"].map { $0.hasPrefix("48.858") } == true, "\(ext)")
            #expect(tags["GPS:GPSLongitude"].map { $0.hasPrefix("2.294") } == true, "\(ext)")
            #expect(tags["GPS:GPSAltitude"] == "35", "\(ext)")
            #expect(tags["GPS:GPSLatitudeRef"] == "N" && tags["GPS:GPSLongitudeRef"] == "E", "\(ext)")
            #expect(tags["GPS:GPSMapDatum"] == "WGS-84", "\(ext)")
            for key in [
                "GPS:GPSTimeStamp", "GPS:GPSDateStamp", "GPS:GPSProcessingMethod", "GPS:GPSAreaInformation",
                "GPS:GPSSpeed", "GPS:GPSSpeedRef",
            ] {
                #expect(tags[key] == nil, "\(ext): \(key) survived keep_location")
            }
            #expect(report.kept.contains(.location), "\(ext)")
            #expect(report.removed.contains(.timestamps), "\(ext)")
            #expect(!report.removed.contains(.location), "\(ext)")
        }
    }

    @Test func keepLocationAndCaptureDateAlsoKeepGPSTimeButNeverFreeText() throws {
        let scratch = try Scratch()
        for (ext, input) in try Self.inputs(in: scratch) {
            let (_, report, tags) = try Self.scrub(
                input, name: "both.\(ext)", in: scratch, keepLocation: true, keepCaptureDate: true)
            #expect(tags["GPS:GPSLatitude"].map { $0.hasPrefix("48.858") } == true, "\(ext)")
            #expect(tags["GPS:GPSTimeStamp"] == "07:08:09", "\(ext)")
            #expect(tags["GPS:GPSDateStamp"] == "2024:05:06", "\(ext)")
            for key in ["GPS:GPSProcessingMethod", "GPS:GPSAreaInformation", "GPS:GPSSpeed"] {
                #expect(tags[key] == nil, "\(ext): \(key) survived")
            }
            #expect(report.kept.contains(.location), "\(ext)")
        }
    }

    @Test func withoutOptInsNoGPSAtAll() throws {
        let scratch = try Scratch()
        for (ext, input) in try Self.inputs(in: scratch) {
            for keepCaptureDate in [false, true] {
                let (_, report, tags) = try Self.scrub(
                    input, name: "none.\(ext)", in: scratch, keepLocation: false, keepCaptureDate: keepCaptureDate)
                #expect(tags.keys.filter { $0.hasPrefix("GPS:") }.isEmpty, "\(ext): \(tags)")
                #expect(!report.kept.contains(.location), "\(ext)")
                #expect(report.removed.contains(.location) && report.removed.contains(.timestamps), "\(ext)")
            }
        }
    }

    /// Hand-made outputs: the fresh-EXIF layout, but carrying GPS tags the writer must not copy.
    @Test func verifiersRejectGPSTimeWithoutTheCaptureDateOptInAndFreeTextAlways() throws {
        let scratch = try Scratch()
        let jpeg = try Self.gpsJPEG(in: scratch)
        let found = ExifReader.findings(tiff: Self.tiff(of: jpeg))
        func block(_ tags: Set<UInt16>) -> [UInt8] {
            MinimalExifWriter.build(
                orientation: nil, gps: found.gpsEntries.filter { tags.contains($0.tag) }, dateTimeOriginal: nil,
                bigEndian: found.bigEndian)!.block
        }
        let image = JPEGFixture.imagePart(jpeg)
        let pngBase = try PNGFixture.base(in: scratch)
        func outputs(_ tags: Set<UInt16>) -> (jpeg: [UInt8], png: [UInt8]) {
            let b = block(tags)
            var c = pngBase
            c.insert(PNGFixture.Chunk(type: "eXIf", data: b), at: 1)
            return ([0xFF, 0xD8] + JPEGFixture.segment(0xE1, Array("Exif\0\0".utf8) + b) + image, PNGFixture.assemble(c))
        }
        let position: Set<UInt16> = [0, 1, 2, 3, 4, 5, 6, 18]
        #expect(Set(found.gpsEntries.map(\.tag)).isSuperset(of: position.union([7, 27, 28, 29])))
        let locationOnly = ScrubOptions(keepLocation: true)
        let both = ScrubOptions(keepLocation: true, keepCaptureDate: true)
        func accepted(_ o: (jpeg: [UInt8], png: [UInt8]), _ options: ScrubOptions) -> (Bool, Bool) {
            (
                VerifierTests.verify(JPEGVerifier.self, o.jpeg, options) == nil,
                VerifierTests.verify(PNGVerifier.self, o.png, options) == nil
            )
        }
        #expect(accepted(outputs(position), locationOnly) == (true, true))
        #expect(accepted(outputs(position.union([29])), locationOnly) == (false, false), "GPSDateStamp")
        #expect(accepted(outputs(position.union([7])), locationOnly) == (false, false), "GPSTimeStamp")
        #expect(accepted(outputs(position.union([7, 29])), both) == (true, true))
        for tag: UInt16 in [27, 28] {
            #expect(accepted(outputs(position.union([tag])), both) == (false, false), "free text tag \(tag)")
        }
        #expect(accepted(outputs(position.union([12, 13])), both) == (false, false), "speed")
        #expect(accepted(outputs(position), ScrubOptions(keepCaptureDate: true)) == (false, false), "no location opt-in")
    }
}
