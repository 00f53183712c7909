import Foundation
import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// exiftool as the independent judge of an output: every tag it reports must be on this
/// allowlist (structure, size, colour, orientation, and what the tipster opted into).
/// Anything else, including exiftool warnings about trailers, counts as a leak.
enum Oracle {
    static let allowedExact: Set<String> = [
        "ExifTool:ExifToolVersion",
        "File:FileType", "File:FileTypeExtension", "File:MIMEType", "File:ExifByteOrder", "File:ImageWidth",
        "File:ImageHeight", "File:EncodingProcess", "File:BitsPerSample", "File:ColorComponents",
        "File:YCbCrSubSampling",
        "JFIF:JFIFVersion", "JFIF:ResolutionUnit", "JFIF:XResolution", "JFIF:YResolution",
        "Composite:ImageSize", "Composite:Megapixels",
        "Adobe:DCTEncodeVersion", "Adobe:APP14Flags0", "Adobe:APP14Flags1", "Adobe:ColorTransform",
        "IFD0:Orientation",
        "PNG:ImageWidth", "PNG:ImageHeight", "PNG:BitDepth", "PNG:ColorType", "PNG:Compression", "PNG:Filter",
        "PNG:Interlace", "PNG:Gamma", "PNG:SRGBRendering", "PNG:WhitePointX", "PNG:WhitePointY", "PNG:RedX",
        "PNG:RedY", "PNG:GreenX", "PNG:GreenY", "PNG:BlueX", "PNG:BlueY", "PNG:BackgroundColor",
        "PNG:SignificantBits", "PNG:Transparency", "PNG:Palette", "PNG:AnimationFrames", "PNG:AnimationPlays",
        "GIF:GIFVersion", "GIF:ImageWidth", "GIF:ImageHeight", "GIF:HasColorMap", "GIF:ColorResolutionDepth",
        "GIF:BitsPerPixel", "GIF:BackgroundColor", "GIF:AnimationIterations", "GIF:FrameCount", "GIF:Duration",
        "GIF:TransparentColor",
    ]

    static func allowed(_ key: String, options: ScrubOptions) -> Bool {
        if allowedExact.contains(key) || key.hasPrefix("System:") { return true }
        if options.keepICCProfile && (key.hasPrefix("ICC") || key == "PNG:ProfileName") { return true }
        if options.keepLocation && (key.hasPrefix("GPS:") || key.hasPrefix("Composite:GPS")) { return true }
        if options.keepCaptureDate && key == "ExifIFD:DateTimeOriginal" { return true }
        return false
    }

    /// The tags exiftool reports in `tags` that are not allowed.
    static func leaks(_ tags: [String: String], options: ScrubOptions = ScrubOptions()) -> [String] {
        tags.keys.filter { !allowed($0, options: options) }.sorted()
    }

    /// Canary strings planted in fixtures; none may survive anywhere in the output bytes.
    static let canaries = [
        "CanaryCam", "CanaryModel-X1", "CANARY-SERIAL-4242", "Canary Artist", "Canary Copyright", "CanaryOwner",
        "canary maker note", "canary user comment", "canary-xmp-creator", "canary-iptc-byline", "canary COM text",
        "canary-trailer", "canary-png-author", "canary-ztxt", "canary-itxt", "canary-gif-comment", "canary-gif-xmp",
        "canary-plain-text", "canary-jfxx", "canary-app-ext", "2019:07:04 12:34:56",
    ]

    static func canariesFound(in bytes: [UInt8]) -> [String] {
        canaries.filter { XMPScan.contains(bytes[...], Array($0.utf8)) }
    }
}

/// Scrubs `input`, writes both files, and checks the output with exiftool and ImageMagick:
/// no leak, no canary, identical pixels, same orientation. Returns the output and report.
@discardableResult
func scrubAndCheck(
    _ input: [UInt8], name: String, options: ScrubOptions = ScrubOptions(), in scratch: Scratch,
    keepLocation: Bool = false, keepCaptureDate: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) throws -> (output: [UInt8], report: RedactionReport, outputTags: [String: String]) {
    var policy = RedactionPolicy()
    policy.keepICCProfile = options.keepICCProfile
    policy.keepOrientation = options.keepOrientation
    let (output, report) = try Redactor(policy: policy).redact(
        input, keepLocation: keepLocation, keepCaptureDate: keepCaptureDate)
    let inPath = try scratch.write("in-\(name)", input)
    let outPath = try scratch.write("out-\(name)", output)
    let effective = ScrubOptions(
        keepICCProfile: options.keepICCProfile, keepOrientation: options.keepOrientation, keepLocation: keepLocation,
        keepCaptureDate: keepCaptureDate)
    let tags = try Tools.exiftool([inPath, outPath])
    let outTags = tags[outPath] ?? [:]
    #expect(!outTags.isEmpty, "exiftool could not read the output", sourceLocation: sourceLocation)
    #expect(Oracle.leaks(outTags, options: effective) == [], "exiftool still finds these", sourceLocation: sourceLocation)
    if !keepLocation && !keepCaptureDate {
        #expect(Oracle.canariesFound(in: output) == [], "canary bytes survived", sourceLocation: sourceLocation)
    }
    let signatures = try Tools.pixelSignatures([inPath, outPath])
    #expect(!signatures[0].isEmpty, "ImageMagick could not decode the input", sourceLocation: sourceLocation)
    #expect(signatures[0] == signatures[1], "decoded pixels changed", sourceLocation: sourceLocation)
    if options.keepOrientation {
        let before = tags[inPath]?["IFD0:Orientation"] ?? "1"
        let after = outTags["IFD0:Orientation"] ?? "1"
        #expect(before == after, "orientation changed", sourceLocation: sourceLocation)
    }
    return (output, report, outTags)
}
