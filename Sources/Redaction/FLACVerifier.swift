import TiplinePolicy

/// Re-reads FLAC output independently of `FLACScrubber` and fails unless it is `fLaC`, a
/// 34-byte STREAMINFO first, at most one SEEKTABLE, nothing else, exactly one block flagged
/// last (the last one), audio starting with a frame sync, and no ID3v1 tag at the very end.
/// A tag, comment or picture block cannot survive: only block types 0 and 3 are accepted.
public struct FLACVerifier: OutputVerifier {
    public static let format = MediaFormat.flac

    private var pending: [UInt8] = []
    private var gotMarker = false
    private var blockCount = 0
    private var seekTables = 0
    private var skipping = 0
    private var inAudio = false
    private var audioBytes = 0
    /// The most recent output bytes (at least the last 128 once there are that many).
    private var recent: [UInt8] = []

    public init(options: ScrubOptions) {}

    private func fail(_ why: String) -> RedactionError { .verificationFailed(.flac, reason: why) }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) {
        var k = 0
        while k < bytes.count {
            if inAudio {
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[k...])
                if audioBytes < 2 {
                    pending.append(contentsOf: chunk.prefix(2 - audioBytes))
                    if pending.count == 2 {
                        guard pending[0] == 0xFF, pending[1] >> 1 == 0x7C else { throw fail("audio does not start with a frame sync") }
                    }
                }
                audioBytes += chunk.count
                remember(chunk)
                return
            }
            if skipping > 0 {
                let n = min(skipping, bytes.count - k)
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[k..<(k + n)]))
                skipping -= n
                k += n
                if skipping == 0 { try endOfBlock() }
                continue
            }
            pending.append(bytes[k])
            k += 1
            try headerByte()
        }
    }

    /// `pending` holds the marker or a block header being read.
    private mutating func headerByte() throws(RedactionError) {
        guard pending.count == 4 else { return }
        if !gotMarker {
            guard pending == Array("fLaC".utf8) else { throw fail("no fLaC marker") }
            gotMarker = true
            pending = []
            return
        }
        let kind = pending[0] & 0x7F
        let size = pending[1...3].reduce(0) { $0 << 8 | Int($1) }
        blockCount += 1
        switch kind {
        case 0:
            guard blockCount == 1 else { throw fail("STREAMINFO is not the only first block") }
            guard size == 34 else { throw fail("STREAMINFO is \(size) bytes") }
        case 3:
            seekTables += 1
            guard blockCount > 1, seekTables == 1, size % 18 == 0 else { throw fail("SEEKTABLE misplaced, repeated or misshapen") }
        default:
            throw fail("metadata block type \(kind) is not allowed in output")
        }
        guard size > 0, size <= 1 << 20 else { throw fail("metadata block of \(size) bytes") }
        skipping = size
    }

    /// `pending` holds a whole block: its header and body.
    private mutating func endOfBlock() throws(RedactionError) {
        if pending[0] & 0x7F == 0 {
            let rate = Int(pending[14]) << 12 | Int(pending[15]) << 4 | Int(pending[16]) >> 4
            guard rate > 0 else { throw fail("STREAMINFO sample rate is 0") }
        }
        if pending[0] & 0x7F == 3 { try checkSeekPoints(pending[4...]) }
        inAudio = pending[0] & 0x80 != 0
        pending = []
    }

    /// Seek points must look like seek points: ascending, placeholders last and all zero
    /// after their 0xFF… sample number, so the table cannot carry anything else.
    private func checkSeekPoints(_ table: ArraySlice<UInt8>) throws(RedactionError) {
        var last: [UInt8] = []
        var sawPlaceholder = false
        var point = table.startIndex
        while point < table.endIndex {
            let fields = Array(table[point..<(point + 18)])
            point += 18
            if fields[0..<8].allSatisfy({ $0 == 0xFF }) {
                guard fields[8...].allSatisfy({ $0 == 0 }) else { throw fail("a seek placeholder carries data") }
                sawPlaceholder = true
                continue
            }
            guard !sawPlaceholder else { throw fail("a seek point after a placeholder") }
            if !last.isEmpty {
                guard fields[0..<8].lexicographicallyPrecedes(last[0..<8]) == false, fields[0..<8] != last[0..<8],
                    !fields[8..<16].lexicographicallyPrecedes(last[8..<16])
                else { throw fail("seek points out of order") }
            }
            last = fields
        }
    }

    private mutating func remember(_ chunk: UnsafeRawBufferPointer) {
        recent.append(contentsOf: chunk.suffix(128))
        if recent.count > 4096 { recent.removeFirst(recent.count - 128) }
    }

    public mutating func finish() throws(RedactionError) {
        guard inAudio, audioBytes >= 2 else { throw fail("output ends before its audio frames") }
        if audioBytes >= 128 && recent.suffix(128).starts(with: "TAG".utf8) { throw fail("an ID3v1 tag at the end") }
    }
}
