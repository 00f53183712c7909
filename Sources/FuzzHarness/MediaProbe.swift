import TiplinePolicy
import TiplineRedaction

/// Drives one format's scrubber directly (past the sniffer, so mutations reach the format's
/// parser) and checks the promises every scrubber makes:
/// - the result does not depend on how the input was split into pieces (streaming is exact);
/// - an accepted output passes the format's independent verifier;
/// - scrubbing a clean output again gives the same bytes (nothing left to remove).
/// The verifier also reads the raw input, since it parses bytes the scrubber may have missed.
public struct MediaProbe {
    let format: MediaFormat
    let entry: FormatRegistry.Entry

    /// The registry's scrubber and verifier for `format`.
    init(format: MediaFormat) {
        self.init(format: format, entry: FormatRegistry.entry(for: format)!)
    }

    /// Any scrubber and verifier: the replay tests hand in broken ones to prove each check bites.
    public init(format: MediaFormat, entry: FormatRegistry.Entry) {
        self.format = format
        self.entry = entry
    }

    /// Fuzzer inputs are small; a bound keeps a lying length field from looking like a leak.
    static let maxFileBytes = 16 * 1024 * 1024

    public func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        let options = Self.options(for: input.count)
        let whole = scrub(input, pieceSize: max(input.count, 1), entry, options)
        let split = scrub(input, pieceSize: 1 + input.count % 17, entry, options)
        guard whole == split else {
            throw FuzzViolation("\(format): fed whole it gave \(whole), fed in pieces \(split)")
        }
        _ = verify(input, entry, options)
        guard case .clean(let output) = whole else { return }
        let verdict = output.withUnsafeBytes { verify($0, entry, options) }
        if let refusal = verdict {
            throw FuzzViolation("\(format): the verifier refused the scrubber's output: \(refusal)")
        }
        let again = output.withUnsafeBytes { scrub($0, pieceSize: max(output.count, 1), entry, options) }
        guard again == whole else {
            throw FuzzViolation("\(format): scrubbing the clean output again gave \(again)")
        }
    }

    /// The tipster's opt-ins vary with the input length, so both sides of each get explored.
    static func options(for count: Int) -> ScrubOptions {
        ScrubOptions(
            keepICCProfile: count & 4 == 0, keepOrientation: true, keepLocation: count & 1 != 0,
            keepCaptureDate: count & 2 != 0, maxFileBytes: maxFileBytes)
    }

    private func scrub(
        _ input: UnsafeRawBufferPointer, pieceSize: Int, _ entry: FormatRegistry.Entry, _ options: ScrubOptions
    ) -> ScrubOutcome {
        var scrubber = entry.makeScrubber(options)
        var output: [UInt8] = []
        do throws(RedactionError) {
            try Pieces.each(input, size: pieceSize) { (piece) throws(RedactionError) in try scrubber.consume(piece, into: &output) }
            _ = try scrubber.finish { (piece) throws(RedactionError) in output.append(contentsOf: piece) }
            return .clean(output)
        } catch {
            return .refused
        }
    }

    /// nil when the verifier accepts the bytes, else its reason.
    private func verify(
        _ bytes: UnsafeRawBufferPointer, _ entry: FormatRegistry.Entry, _ options: ScrubOptions
    ) -> String? {
        var verifier = entry.makeVerifier(options)
        do throws(RedactionError) {
            try verifier.consume(bytes)
            try verifier.finish()
            return nil
        } catch {
            return error.description
        }
    }
}

/// What a scrubber made of one input, compared across feeding patterns.
enum ScrubOutcome: Equatable, CustomStringConvertible {
    case clean([UInt8])
    case refused

    var description: String {
        switch self {
        case .clean(let bytes): "a clean output of \(bytes.count) bytes"
        case .refused: "a refusal"
        }
    }
}
