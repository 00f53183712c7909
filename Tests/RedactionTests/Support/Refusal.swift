import Testing
import TiplinePolicy

@testable import TiplineRedaction

/// Runs a whole file through a session and returns the error it was refused with, or nil
/// (recording an issue) if it was accepted. Also checks that a failed session stays failed.
func refusal(
    _ bytes: [UInt8], policy: RedactionPolicy = RedactionPolicy(), sourceLocation: SourceLocation = #_sourceLocation
) -> RedactionError? {
    var session = Redactor(policy: policy).makeSession()
    do {
        _ = try session.consume(bytes)
        _ = try session.finish()
    } catch {
        // Once failed, always failed: no later call can produce output.
        #expect(throws: error, sourceLocation: sourceLocation) { _ = try session.consume([0xFF]) }
        return error
    }
    Issue.record("accepted a file that should be refused", sourceLocation: sourceLocation)
    return nil
}

/// Feeds `bytes` to a fresh session in pieces of the given sizes (cycled); returns all output.
func redactInPieces(
    _ bytes: [UInt8], sizes: [Int], policy: RedactionPolicy = RedactionPolicy()
) throws(RedactionError) -> (output: [UInt8], report: RedactionReport) {
    var session = Redactor(policy: policy).makeSession()
    var output: [UInt8] = []
    var i = 0
    var k = 0
    while i < bytes.count {
        let n = min(sizes[k % sizes.count], bytes.count - i)
        output += try session.consume(Array(bytes[i..<(i + n)]))
        i += n
        k += 1
    }
    let (tail, report) = try session.finish()
    return (output + tail, report)
}

/// A small deterministic generator so random-looking tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
