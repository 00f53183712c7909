import TiplinePolicy

/// WebM (DocType `webm`: browser MediaRecorder, Android screen and camera recordings). Scrubbed
/// losslessly in place by `MatroskaScrubCore`: metadata elements become zeroed Voids of the same
/// size, so the output has the input's length and every offset in it still holds.
public struct WebMScrubber: Scrubber {
    public static let format = MediaFormat.webm
    var core: MatroskaScrubCore

    public init(options: ScrubOptions) {
        core = MatroskaScrubCore(format: .webm, docType: "webm")
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        try core.consume(input, into: &output)
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        try core.finish(into: &output)
    }
}

/// Matroska (DocType `matroska`, `.mkv`): the same scrubber as WebM under its own format, so
/// refusals say MKV and the exported file keeps its extension.
public struct MatroskaScrubber: Scrubber {
    public static let format = MediaFormat.mkv
    var core: MatroskaScrubCore

    public init(options: ScrubOptions) {
        core = MatroskaScrubCore(format: .mkv, docType: "matroska")
    }

    public mutating func consume(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(RedactionError) {
        try core.consume(input, into: &output)
    }

    public mutating func finish(into output: inout [UInt8]) throws(RedactionError) -> ScrubSummary {
        try core.finish(into: &output)
    }
}
