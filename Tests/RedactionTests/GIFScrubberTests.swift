import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

@Suite struct GIFScrubberTests {
    @Test func plantedMetadataIsFoundInTheInputByExiftool() throws {
        let scratch = try Scratch()
        let path = try scratch.write("in.gif", try GIFFixture.planted(in: scratch))
        let tags = try Tools.exiftool(path)
        #expect(tags["File:Comment"] == "canary-gif-comment")
        #expect(tags["GIF:Text"] == "canary-plain-text")
        #expect(tags["XMP-dc:Creator"] == "canary-gif-xmp")
    }

    @Test func commentsXMPPrivateExtensionsAndTrailerAreRemovedFramesKept() throws {
        let scratch = try Scratch()
        let input = try GIFFixture.planted(in: scratch)
        let (output, report, tags) = try scrubAndCheck(input, name: "planted.gif", in: scratch)
        #expect(tags["GIF:FrameCount"] == "2")
        #expect(tags["GIF:AnimationIterations"] == "0")
        #expect(report.format == .gif)
        #expect(report.removed == [.authorship, .comment, .location, .other, .trailer])
        #expect(report.kept == [.animation])
        // Removing exactly the planted blocks gives back ImageMagick's file byte for byte.
        #expect(output == (try GIFFixture.base(in: scratch, name: "again")))
    }

    @Test func stillGIFWithoutColourTableStructureSurvives() throws {
        let scratch = try Scratch()
        let path = scratch.path("still.gif")
        try Tools.run("convert", ["-size", "7x5", "xc:red", "-fill", "blue", "-draw", "point 3,2", path])
        var gif = try scratch.read("still.gif")
        gif.insert(contentsOf: GIFFixture.comment, at: GIFFixture.afterGlobalTable(gif))
        let (output, report, _) = try scrubAndCheck(gif, name: "still.gif", in: scratch)
        #expect(report.removed == [.comment])
        #expect(report.kept == [])
        #expect(output.count == gif.count - GIFFixture.comment.count)
    }
}
