import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct PNGScrubberTests {
    @Test func plantedMetadataIsFoundInTheInputByExiftool() throws {
        let scratch = try Scratch()
        let path = try scratch.write("in.png", try PNGFixture.planted(in: scratch))
        let tags = try Tools.exiftool(path)
        for key in ["PNG:Author", "PNG:Comment", "XMP-dc:Creator", "PNG:ModifyDate", "PNG-pHYs:PixelsPerUnitX", "IFD0:Make", "GPS:GPSLatitude"] {
            #expect(tags[key] != nil, "exiftool does not see \(key) in the fixture")
        }
    }

    @Test func textTimeExifAndTrailerAreRemovedPixelsKept() throws {
        let scratch = try Scratch()
        let input = try PNGFixture.planted(in: scratch)
        let (output, report, tags) = try scrubAndCheck(input, name: "planted.png", in: scratch)
        #expect(tags["IFD0:Orientation"] == "6")
        #expect(report.format == .png)
        #expect(report.removed == [.authorship, .comment, .device, .editing, .location, .other, .timestamps, .trailer])
        #expect(report.kept == [.orientation])
        let types = PNGFixture.chunks(output).map(\.type)
        // The fresh eXIf takes the original's place, right after IHDR.
        #expect(Array(types.prefix(2)) == ["IHDR", "eXIf"] && types.last == "IEND")
        #expect(!types.contains("tEXt") && !types.contains("zTXt") && !types.contains("iTXt") && !types.contains("tIME"))
        #expect(!types.contains("pHYs") && !types.contains("prVt"))
        #expect(types.filter { $0 == "eXIf" }.count == 1)
    }

    /// Issue 10 item 3: a real file with its eXIf after the image data. The fresh eXIf stays
    /// where the original was: the IDAT has streamed out by then, and in that place every
    /// reader shows the output as it showed the input (exiftool reads it and warns that some
    /// readers ignore a late eXIf — in the input too). Only the orientation survives.
    @Test func exifAfterTheImageDataKeepsTheOrientation() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.exif(orientation: 6), at: c.count - 1)  // just before IEND
        #expect(c.firstIndex { $0.type == "IDAT" }! < c.firstIndex { $0.type == "eXIf" }!)
        let input = PNGFixture.assemble(c)
        #expect(try Tools.exiftool(scratch.write("late-in.png", input))["GPS:GPSLatitude"] != nil, "the fixture carries GPS")
        let (output, report) = try Redactor(policy: RedactionPolicy()).redact(input)
        let tags = try Tools.exiftool(scratch.write("late-out.png", output))
        #expect(tags["IFD0:Orientation"] == "6", "\(tags)")
        #expect(report.kept == [.orientation])
        #expect(Array(PNGFixture.chunks(output).map(\.type).suffix(2)) == ["eXIf", "IEND"])
        let left = tags.keys.filter {
            !$0.hasPrefix("PNG:") && !$0.hasPrefix("System:") && !$0.hasPrefix("File:") && !$0.hasPrefix("ExifTool:") && !$0.hasPrefix("Composite:")
        }
        #expect(Set(left) == ["IFD0:Orientation"], "only the orientation is left: \(left.sorted())")
        #expect(try Tools.pixelSignature(scratch.path("late-in.png")) == Tools.pixelSignature(scratch.path("late-out.png")))
    }

    @Test func exifWithoutRotationLeavesNoExifChunk() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.exif(orientation: 1), at: 1)
        let (output, report, _) = try scrubAndCheck(PNGFixture.assemble(c), name: "o1.png", in: scratch)
        #expect(!PNGFixture.chunks(output).map(\.type).contains("eXIf"))
        #expect(report.kept == [])
    }

    @Test func colourChunksAndICCProfileStayPerPolicy() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.iccp, at: 1)
        let input = PNGFixture.assemble(c)
        let kept = try scrubAndCheck(input, name: "icc.png", in: scratch)
        #expect(PNGFixture.chunks(kept.output).map(\.type).contains("iCCP"))
        #expect(kept.report.kept == [.colorProfile])
        let dropped = try scrubAndCheck(input, name: "noicc.png", options: ScrubOptions(keepICCProfile: false), in: scratch)
        #expect(!PNGFixture.chunks(dropped.output).map(\.type).contains("iCCP"))
        // Colour chunks ImageMagick wrote (gAMA, cHRM, bKGD) stay.
        let before = Set(c.map(\.type)).subtracting(["iCCP"])
        #expect(Set(PNGFixture.chunks(dropped.output).map(\.type)) == before)
    }

    @Test func palettedImageWithTransparencyIsKeptExactly() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch, extra: ["-transparent", "yellow", "-type", "PaletteAlpha"])
        #expect(c.map(\.type).contains("PLTE"))
        c.insert(PNGFixture.text, at: 1)
        let (output, _, _) = try scrubAndCheck(PNGFixture.assemble(c), name: "palette.png", in: scratch)
        #expect(PNGFixture.chunks(output).map(\.type) == c.map(\.type).filter { $0 != "tEXt" })
    }

    @Test func apngFramesAreKept() throws {
        let scratch = try Scratch()
        let input = try PNGFixture.apng(in: scratch)
        let (output, report, tags) = try scrubAndCheck(input, name: "anim.png", in: scratch)
        #expect(tags["PNG:AnimationFrames"] == "2")
        #expect(report.kept == [.animation])
        let types = PNGFixture.chunks(output).map(\.type)
        #expect(types.filter { $0 == "fcTL" }.count == 2 && types.contains("fdAT") && types.contains("acTL"))
    }

    @Test func optInsKeepGPSAndDateInTheFreshExif() throws {
        let scratch = try Scratch()
        var c = try PNGFixture.base(in: scratch)
        c.insert(PNGFixture.exif(orientation: 1), at: 1)
        let (_, report, tags) = try scrubAndCheck(
            PNGFixture.assemble(c), name: "optin.png", in: scratch, keepLocation: true, keepCaptureDate: true)
        #expect(tags["GPS:GPSLongitudeRef"] == "E")
        #expect(tags["ExifIFD:DateTimeOriginal"] == "2019:07:04 12:34:56")
        #expect(report.kept == [.captureDate, .location])
    }
}
