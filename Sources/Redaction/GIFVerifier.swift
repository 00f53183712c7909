import TiplinePolicy

/// Re-reads GIF output independently of `GIFScrubber` and fails on any comment, plain-text
/// or application extension other than looping (or the ICC profile when the policy keeps it and
/// it is a standard colour-space profile, `ICCOutputCheck`),
/// on broken block structure, and on any byte after the trailer.
public struct GIFVerifier: OutputVerifier {
    public static let format = MediaFormat.gif

    private enum Step {
        case screen  // 13 bytes: signature + logical screen descriptor
        case table(Int, then: Next)  // colour table bytes to skip
        case block  // introducer
        case descriptor  // 9 bytes
        case minCode
        case label
        case firstSub  // first sub-block of an application extension: length byte
        case appName(Int)  // its bytes
        case sub  // sub-block length
        case subData(Int)
        case end
    }
    private enum Next { case block, minCode }

    private let options: ScrubOptions
    private var step = Step.screen
    private var held: [UInt8] = []
    /// The profile of a kept ICC extension, gathered from its sub-blocks and checked at their end.
    private var iccProfile: [UInt8]?

    public init(options: ScrubOptions) {
        self.options = options
    }

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.gif, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var k = bytes.startIndex
        while k < bytes.endIndex {
            switch step {
            case .end:
                throw fail("bytes after the trailer")
            case .table(let left, let next):
                let n = min(left, bytes.endIndex - k)
                k += n
                step = left == n ? (next == .block ? .block : .minCode) : .table(left - n, then: next)
            case .subData(let left):
                let n = min(left, bytes.endIndex - k)
                if iccProfile != nil {
                    iccProfile! += bytes[k..<(k + n)]
                    guard iccProfile!.count <= 4 << 20 else { throw fail("ICC profile larger than any standard one") }
                }
                k += n
                step = left == n ? .sub : .subData(left - n)
            default:
                held.append(bytes[k])
                k += 1
                try take()
            }
        }
    }

    private static func colours(_ flags: UInt8) -> Int { flags >= 0x80 ? 3 * (2 << Int(flags & 7)) : 0 }

    private mutating func take() throws(RedactionError) {
        switch step {
        case .screen:
            guard held.count == 13 else { return }
            guard held.starts(with: Array("GIF8".utf8)) else { throw fail("bad signature") }
            let t = Self.colours(held[10])
            step = t > 0 ? .table(t, then: .block) : .block
        case .block:
            switch held[0] {
            case 0x2C: step = .descriptor
            case 0x21: step = .label
            case 0x3B: step = .end
            default: throw fail("unknown block type")
            }
        case .descriptor:
            guard held.count == 9 else { return }
            let t = Self.colours(held[8])
            step = t > 0 ? .table(t, then: .minCode) : .minCode
        case .minCode:
            step = .sub
        case .label:
            switch held[0] {
            case 0xF9: step = .sub
            case 0xFF: step = .firstSub
            default: throw fail("comment, plain-text or unknown extension 0x\(String(held[0], radix: 16)) remains")
            }
        case .firstSub:
            guard held[0] == 11 else { throw fail("application extension with an unexpected identifier length") }
            step = .appName(11)
        case .appName(let n):
            guard held.count == n else { return }
            let name = String(decoding: held, as: UTF8.self)
            let ok = name == "NETSCAPE2.0" || name == "ANIMEXTS1.0" || (options.keepICCProfile && name == "ICCRGBG1012")
            guard ok else { throw fail("application extension other than looping remains") }
            if name == "ICCRGBG1012" { iccProfile = [] }
            step = .sub
        case .sub:
            step = held[0] == 0 ? .block : .subData(Int(held[0]))
            if held[0] == 0, let profile = iccProfile {
                iccProfile = nil
                try ICCOutputCheck.check(profile[...], format: .gif)
            }
        case .table, .subData, .end:
            break
        }
        held = []
    }

    public mutating func finish() throws(RedactionError) {
        guard case .end = step else { throw fail("output does not end with the trailer") }
    }
}
