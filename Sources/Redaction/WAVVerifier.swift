import TiplinePolicy

/// Re-reads WAV output independently of `WAVScrubber` and fails unless it is exactly
/// `RIFF|RF64|BW64 size WAVE [ds64] fmt [fact] data` and nothing else: no LIST, bext, iXML,
/// XMP or ID3 chunk can survive because no chunk outside that sequence is accepted at all.
/// The declared sizes (RIFF size or ds64 RIFF size, data size) must match the bytes that came.
public struct WAVVerifier: OutputVerifier {
    public static let format = MediaFormat.wav

    private enum Phase {
        case preamble
        case header
        case payload(String, Int)
        case samples
        case padding
        case ended
    }

    private var phase = Phase.preamble
    private var collected: [UInt8] = []
    private var seen = 0
    private var wide = false
    private var declaredTotal: UInt64 = 0
    private var ds64Data: UInt64?
    private var order: [String] = []
    private var samplesLeft: UInt64 = 0
    private var oddSamples = false

    public init(options: ScrubOptions) {}

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.wav, reason: why) }

    private static func little(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var index = 0
        while index < bytes.count {
            switch phase {
            case .ended:
                throw fail("bytes after the data chunk")
            case .samples:
                let n = Int(min(samplesLeft, UInt64(bytes.count - index)))
                samplesLeft -= UInt64(n)
                index += n
                seen += n
                if samplesLeft == 0 { phase = oddSamples ? .padding : .ended }
            case .padding:
                guard bytes[index] == 0 else { throw fail("data pad byte is not zero") }
                index += 1
                seen += 1
                phase = .ended
            default:
                collected.append(bytes[index])
                index += 1
                seen += 1
                try step()
            }
        }
    }

    /// Looks at `collected` once it holds a whole file header, chunk header or small chunk body.
    private mutating func step() throws(RedactionError) {
        switch phase {
        case .preamble:
            guard collected.count == 12 else { return }
            let magic = String(decoding: collected[0..<4], as: UTF8.self)
            guard ["RIFF", "RF64", "BW64"].contains(magic), String(decoding: collected[8..<12], as: UTF8.self) == "WAVE" else {
                throw fail("not a RIFF WAVE file")
            }
            wide = magic != "RIFF"
            declaredTotal = Self.little(collected[4..<8])
            if wide && declaredTotal != 0xFFFF_FFFF { throw fail("RF64 header size is not 0xFFFFFFFF") }
            phase = .header
        case .header:
            guard collected.count == 8 else { return }
            let name = String(decoding: collected[0..<4], as: UTF8.self)
            let length = Self.little(collected[4..<8])
            let expected: Set<String>
            switch order.last {
            case nil: expected = wide ? ["ds64"] : ["fmt "]
            case "ds64": expected = ["fmt "]
            case "fmt ": expected = ["fact", "data"]
            default: expected = ["data"]
            }
            guard expected.contains(name) else {
                throw fail("chunk \(name.filter { $0.isLetter || $0.isNumber }) not allowed at chunk \(order.count)")
            }
            order.append(name)
            if name == "data" {
                samplesLeft = length
                if length == 0xFFFF_FFFF {
                    guard let ds64Data else { throw fail("data size 0xFFFFFFFF without ds64") }
                    samplesLeft = ds64Data
                }
                if let ds64Data, ds64Data != samplesLeft { throw fail("ds64 data size does not match the data chunk") }
                oddSamples = samplesLeft & 1 == 1
                phase = samplesLeft == 0 ? .ended : .samples
            } else {
                let limits: ClosedRange<UInt64> = name == "ds64" ? 28...28 : (name == "fact" ? 4...4 : 16...4096)
                guard limits.contains(length) else { throw fail("\(name) chunk of \(length) bytes") }
                phase = .payload(name, Int(length))
            }
        case .payload(let name, let length):
            guard collected.count == length + (length & 1) else { return }
            if length & 1 == 1 && collected.last != 0 { throw fail("\(name) pad byte is not zero") }
            try check(name, collected)
            phase = .header
        default:
            return
        }
        collected = []
    }

    private mutating func check(_ name: String, _ body: [UInt8]) throws(RedactionError) {
        switch name {
        case "ds64":
            declaredTotal = Self.little(body[0..<8])
            ds64Data = Self.little(body[8..<16])
            guard Self.little(body[24..<28]) == 0 else { throw fail("ds64 has a chunk size table") }
        case "fmt ":
            guard Self.little(body[2..<4]) > 0, Self.little(body[4..<8]) > 0 else { throw fail("fmt has no channels or sample rate") }
            if body.count >= 18 && Self.little(body[16..<18]) > UInt64(body.count - 18) { throw fail("fmt extension runs past its chunk") }
        default:
            return
        }
    }

    public mutating func finish() throws(RedactionError) {
        guard case .ended = phase else { throw fail("output ends before its data chunk is complete") }
        guard UInt64(seen) == declaredTotal + 8 else { throw fail("RIFF size \(declaredTotal) but \(seen - 8) bytes follow it") }
    }
}
