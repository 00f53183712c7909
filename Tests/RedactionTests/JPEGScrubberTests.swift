import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct JPEGScrubberTests {
    @Test func plantedMetadataIsFoundInTheInputByExiftool() throws {
        let scratch = try Scratch()
        let path = try scratch.write("in.jpg", try JPEGFixture.planted(in: scratch))
        let tags = try Tools.exiftool(path)
        // The oracle must see what we planted, or the scrub tests below would prove nothing.
        for key in [
            "IFD0:Make", "IFD0:Model", "IFD0:Artist", "ExifIFD:SerialNumber", "ExifIFD:OwnerName", "GPS:GPSLatitude",
            "XMP-dc:Creator", "IPTC:By-line", "File:Comment", "IFD1:ThumbnailImage", "ExifIFD:MakerNoteUnknownText",
        ] {
            #expect(tags[key] != nil, "exiftool does not see \(key) in the fixture")
        }
        #expect(tags["IFD0:Orientation"] == "6")
        #expect(Oracle.leaks(tags).count > 15)
    }

    @Test func everyPlantedItemIsRemovedPixelsAndOrientationKept() throws {
        let scratch = try Scratch()
        let input = try JPEGFixture.planted(in: scratch)
        let (output, report, tags) = try scrubAndCheck(input, name: "planted.jpg", in: scratch)
        #expect(tags["IFD0:Orientation"] == "6")
        #expect(report.format == .jpeg)
        #expect(report.bytesIn == input.count)
        #expect(report.bytesOut == output.count)
        #expect(report.removed == [.authorship, .comment, .device, .editing, .location, .other, .thumbnail, .timestamps, .trailer])
        #expect(report.kept == [.colorProfile, .orientation])
        #expect(Array(output.suffix(2)) == [0xFF, 0xD9])
    }

    @Test(arguments: 1...8)
    func orientationSurvivesAsTheOnlyExifTag(orientation: Int) throws {
        let scratch = try Scratch()
        let base = try JPEGFixture.base(in: scratch)
        let input = JPEGFixture.assemble(
            base, header: [JPEGFixture.jfif, JPEGFixture.exif(.planted(orientation: UInt16(orientation), littleEndian: orientation % 2 == 0))])
        let (output, report, tags) = try scrubAndCheck(input, name: "o\(orientation).jpg", in: scratch)
        #expect(tags["IFD0:Orientation"] == (orientation == 1 ? nil : "\(orientation)"))
        #expect(report.kept == (orientation == 1 ? [] : [.orientation]))
        // Orientation 1 needs no EXIF at all.
        #expect(XMPScan.contains(output[...], Array("Exif\0\0".utf8)) == (orientation != 1))
    }

    @Test func progressiveScansAreKept() throws {
        let scratch = try Scratch()
        let base = try JPEGFixture.base(in: scratch, progressive: true)
        let scans = Self.count(of: [0xFF, 0xDA], in: base)
        #expect(scans > 1)
        let input = JPEGFixture.assemble(base, header: [JPEGFixture.exif(.planted()), JPEGFixture.xmp, JPEGFixture.comment])
        let (output, _, tags) = try scrubAndCheck(input, name: "progressive.jpg", in: scratch)
        #expect(tags["File:EncodingProcess"] == "2")
        #expect(Self.count(of: [0xFF, 0xDA], in: output) == scans)
    }

    @Test func restartMarkersAreKept() throws {
        let scratch = try Scratch()
        let base = try JPEGFixture.base(in: scratch, restart: true)
        let restarts = (0xD0...0xD7).reduce(0) { $0 + Self.count(of: [0xFF, UInt8($1)], in: base) }
        #expect(restarts > 20)
        let input = JPEGFixture.assemble(base, header: [JPEGFixture.exif(.planted()), JPEGFixture.comment])
        let (output, _, _) = try scrubAndCheck(input, name: "restart.jpg", in: scratch)
        #expect((0xD0...0xD7).reduce(0) { $0 + Self.count(of: [0xFF, UInt8($1)], in: output) } == restarts)
    }

    @Test func fillBytesBeforeMarkersAreAccepted() throws {
        let scratch = try Scratch()
        let base = try JPEGFixture.base(in: scratch)
        var image = JPEGFixture.imagePart(base)
        image.insert(contentsOf: [0xFF, 0xFF, 0xFF], at: 0)  // before the first table
        image.insert(contentsOf: [0xFF, 0xFF], at: image.count - 2)  // before EOI, after scan data
        let input = [0xFF, 0xD8, 0xFF, 0xFF] + JPEGFixture.comment + image
        try scrubAndCheck(input, name: "fill.jpg", in: scratch)
    }

    @Test func multiSegmentExifIsDroppedWithOrientationRead() throws {
        let scratch = try Scratch()
        var blob = TIFFBlob.planted(orientation: 8)
        blob.exif.append(blob.undefined(0x927D, Array(repeating: 0x43, count: 90_000)))
        let tiff = blob.bytes()
        let first = JPEGFixture.segment(0xE1, Array("Exif\0\0".utf8) + tiff[0..<60_000])
        let second = JPEGFixture.segment(0xE1, Array("Exif\0\0".utf8) + tiff[60_000...])
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.jfif, first, second])
        let (_, report, tags) = try scrubAndCheck(input, name: "multi.jpg", in: scratch)
        #expect(tags["IFD0:Orientation"] == "8")
        #expect(report.removed.contains(.location))
    }

    @Test func iccProfileFollowsThePolicy() throws {
        let scratch = try Scratch()
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.jfif] + JPEGFixture.icc(chunks: 3))
        let kept = try scrubAndCheck(input, name: "icc.jpg", in: scratch)
        #expect(kept.report.kept == [.colorProfile])
        #expect(kept.outputTags["ICC-header:ProfileClass"] == "mntr")
        let dropped = try scrubAndCheck(input, name: "noicc.jpg", options: ScrubOptions(keepICCProfile: false), in: scratch)
        #expect(dropped.report.kept == [])
        #expect(dropped.outputTags.keys.filter { $0.hasPrefix("ICC") } == [])
    }

    @Test func adobeHeaderIsKeptForColourDecoding() throws {
        let scratch = try Scratch()
        let long = JPEGFixture.segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, 1, 9, 9])
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.jfif, long])
        let (output, _, tags) = try scrubAndCheck(input, name: "adobe.jpg", in: scratch)
        #expect(tags["Adobe:ColorTransform"] == "1")
        #expect(XMPScan.contains(output[...], JPEGFixture.adobe))
    }

    @Test func jfifIsKeptWithoutItsThumbnail() throws {
        let scratch = try Scratch()
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.jfifWithThumbnail, JPEGFixture.jfxx])
        let (output, report, _) = try scrubAndCheck(input, name: "jfif.jpg", in: scratch)
        #expect(Array(output[2..<20]) == JPEGFixture.jfif)
        #expect(report.removed == [.thumbnail])
    }

    @Test func optInsKeepOnlyGPSAndCaptureDate() throws {
        let scratch = try Scratch()
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.exif(.planted(orientation: 3))])
        let (output, report, tags) = try scrubAndCheck(
            input, name: "optin.jpg", in: scratch, keepLocation: true, keepCaptureDate: true)
        #expect(tags["GPS:GPSLatitudeRef"] == "N")
        #expect(tags["GPS:GPSLatitude"].map { $0.hasPrefix("52.37") } == true)
        #expect(tags["ExifIFD:DateTimeOriginal"] == "2019:07:04 12:34:56")
        #expect(tags["IFD0:Orientation"] == "3")
        #expect(report.kept == [.captureDate, .location, .orientation])
        #expect(!report.removed.contains(.location))
        for canary in ["CanaryCam", "CANARY-SERIAL-4242", "canary maker note", "CanaryOwner"] {
            #expect(!XMPScan.contains(output[...], Array(canary.utf8)))
        }
    }

    @Test func optInsAreIgnoredWhenThePolicyForbidsThem() throws {
        let scratch = try Scratch()
        let input = JPEGFixture.assemble(try JPEGFixture.base(in: scratch), header: [JPEGFixture.exif(.planted(orientation: 3))])
        var policy = RedactionPolicy()
        policy.allowTipsterKeepLocation = false
        policy.allowTipsterKeepCaptureDate = false
        let (output, report) = try Redactor(policy: policy).redact(input, keepLocation: true, keepCaptureDate: true)
        #expect(report.kept == [.orientation])
        #expect(report.removed.contains(.location))
        #expect(Oracle.canariesFound(in: output) == [])
    }

    @Test func exifArrivingAfterImageDataWithARotationIsRefused() throws {
        let scratch = try Scratch()
        let image = JPEGFixture.imagePart(try JPEGFixture.base(in: scratch))
        // Put the EXIF after the first table segment (DQT), where the header has already ended.
        let firstLength = 2 + (Int(image[2]) << 8 | Int(image[3]))
        let late = [0xFF, 0xD8] + image[0..<firstLength] + JPEGFixture.exif(.planted(orientation: 6)) + image[firstLength...]
        #expect(throws: RedactionError.unsupportedLayout(.jpeg, reason: "orientation stored after the image data")) {
            try Redactor(policy: RedactionPolicy()).redact(Array(late))
        }
        let upright = [0xFF, 0xD8] + image[0..<firstLength] + JPEGFixture.exif(.planted(orientation: 1)) + image[firstLength...]
        try scrubAndCheck(Array(upright), name: "late.jpg", in: scratch)
    }

    static func count(of needle: [UInt8], in hay: [UInt8]) -> Int {
        guard hay.count >= needle.count else { return 0 }
        return (0...(hay.count - needle.count)).filter { hay[$0] == needle[0] && Array(hay[$0..<($0 + needle.count)]) == needle }.count
    }
}
