import TiplinePolicy
import TiplineRedaction

/// The whole session intake runs: sniff by bytes, drop a leading ID3v2 tag, scrub, verify.
/// Promises: an accepted output, redacted again, comes back unchanged and as the same format.
enum RedactorProbe {
    static let redactor: Redactor = {
        var policy = RedactionPolicy()
        policy.maxFileBytes = MediaProbe.maxFileBytes
        policy.maxVideoBytes = MediaProbe.maxFileBytes
        policy.maxAudioBytes = MediaProbe.maxFileBytes
        return Redactor(policy: policy)
    }()

    static func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        let bytes = [UInt8](input)
        guard let first = try? redactor.redact(bytes) else { return }
        let second: (output: [UInt8], report: RedactionReport)
        do throws(RedactionError) {
            second = try redactor.redact(first.output)
        } catch {
            throw FuzzViolation("redactor: its own \(first.report.format) output was refused: \(error)")
        }
        guard second.output == first.output, second.report.format == first.report.format else {
            throw FuzzViolation("redactor: redacting the clean \(first.report.format) output again changed it")
        }
    }
}
