import TiplinePolicy

/// The one entry point intake and `tipintake redact` share: sniff, check the policy, scrub,
/// verify every output byte, report. Holding no per-file state, it is safe to share.
public struct Redactor: Sendable {
    public let policy: RedactionPolicy
    /// Where movies wait while their index is read: memory unless the caller has better.
    public let spool: SpoolMaker
    /// What scrubbers that hold a whole file (TIFF, WebP, HEIF) claim their bytes from:
    /// process-wide unless the caller gives its own.
    public let heldBytes: HeldBytesBudget

    public init(policy: RedactionPolicy, spool: SpoolMaker = .memory, heldBytes: HeldBytesBudget = .shared) {
        self.policy = policy
        self.spool = spool
        self.heldBytes = heldBytes
    }

    /// Starts one file. The tipster's opt-ins only take effect where the policy allows them.
    public func makeSession(keepLocation: Bool = false, keepCaptureDate: Bool = false) -> RedactionSession {
        let options = ScrubOptions(
            keepICCProfile: policy.keepICCProfile, keepOrientation: policy.keepOrientation,
            keepLocation: keepLocation && policy.allowTipsterKeepLocation,
            keepCaptureDate: keepCaptureDate && policy.allowTipsterKeepCaptureDate,
            maxFileBytes: policy.maxAnyFileBytes, spool: spool, heldBytes: heldBytes)
        return RedactionSession(options: options, accepted: policy.acceptedFormats, limits: policy)
    }

    /// Scrubs a whole file held in memory. Returns nothing unless the output verified.
    public func redact(
        _ data: [UInt8], keepLocation: Bool = false, keepCaptureDate: Bool = false
    ) throws(RedactionError) -> (output: [UInt8], report: RedactionReport) {
        var session = makeSession(keepLocation: keepLocation, keepCaptureDate: keepCaptureDate)
        var output = try data.withRawBytes { (raw) throws(RedactionError) in try session.consume(raw) }
        let (tail, report) = try session.finish()
        if output.isEmpty { output = tail } else { output += tail }  // held-whole formats: no copy
        return (output, report)
    }
}

/// One file passing through redaction, fed in pieces of any size. Clean bytes come back as
/// soon as they are known to be clean; they are not safe to keep until `finish` returns,
/// because the verifier has the last word on the whole file. After any error the session
/// stays failed and every later call throws the same error.
public struct RedactionSession {
    /// `maxFileBytes` is the largest of the kinds' limits until the format is known, then its kind's.
    private(set) var options: ScrubOptions
    let accepted: Set<MediaFormat>
    let limits: RedactionPolicy
    private var prefix: [UInt8] = []
    private var scrubber: (any Scrubber)?
    private var verifier: (any OutputVerifier)?
    private var format: MediaFormat?
    private var bytesIn = 0
    private var bytesOut = 0
    private var failure: RedactionError?
    private var finished = false
    /// A leading ID3v2 tag still streaming past, and what the tags already dropped held.
    private var leadingTag: ID3v2LeadingTag?
    private var droppedTags = 0
    private var tagRemoved: Set<MetadataCategory> = []

    init(options: ScrubOptions, accepted: Set<MediaFormat>, limits: RedactionPolicy) {
        self.options = options
        self.accepted = accepted
        self.limits = limits
    }

    /// Feeds the next piece; returns the clean bytes that piece released (often empty).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) -> [UInt8] {
        if let failure { throw failure }
        precondition(!finished, "consume after finish")
        do throws(RedactionError) {
            return try step(bytes)
        } catch {
            failure = error
            throw error
        }
    }

    public mutating func consume(_ bytes: [UInt8]) throws(RedactionError) -> [UInt8] {
        try bytes.withRawBytes { (raw) throws(RedactionError) in try consume(raw) }
    }

    /// End of input: the last clean bytes and the report, or the reason the file is refused.
    public mutating func finish() throws(RedactionError) -> (tail: [UInt8], report: RedactionReport) {
        if let failure { throw failure }
        precondition(!finished, "finish called twice")
        finished = true
        var tail: [UInt8] = []
        var whole: [UInt8] = []
        do throws(RedactionError) {
            let report = try complete(whole: &whole) { (piece) throws(RedactionError) in tail.append(contentsOf: piece) }
            if tail.isEmpty { swap(&tail, &whole) } else { tail += whole }
            return (tail, report)
        } catch {
            failure = error
            throw error
        }
    }

    /// End of input, for large outputs: the last clean bytes are handed to `emit` in bounded
    /// pieces, each already seen by the verifier; like everything `consume` returned, they are
    /// safe to keep only once this returns the report.
    public mutating func finish(emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) -> RedactionReport {
        if let failure { throw failure }
        precondition(!finished, "finish called twice")
        finished = true
        do throws(RedactionError) {
            var whole: [UInt8] = []
            let report = try complete(whole: &whole, emit: emit)
            try Self.emitInPieces(whole, emit)
            return report
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func step(_ bytes: UnsafeRawBufferPointer) throws(RedactionError) -> [UInt8] {
        bytesIn += bytes.count
        if bytesIn > options.maxFileBytes { throw .tooLarge(limit: options.maxFileBytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)  // streaming formats release about what came in
        if scrubber != nil {
            try scrubber!.consume(bytes, into: &out)
        } else {
            var rest = bytes
            if leadingTag != nil {
                let took = leadingTag!.take(rest)
                rest = UnsafeRawBufferPointer(rebasing: rest[took...])
                guard leadingTag!.done else { return [] }
                tagDropped(leadingTag!)
            }
            prefix.append(contentsOf: rest)
            guard try start(final: false) else { return [] }
            let held = prefix
            prefix = []
            try held.withRawBytes { (raw) throws(RedactionError) in try scrubber!.consume(raw, into: &out) }
        }
        try pass(out)
        return out
    }

    /// Hands a whole verified output out in ~256 KiB pieces, as movies' outputs go.
    private static func emitInPieces(_ whole: [UInt8], _ emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void) throws(RedactionError) {
        try whole.withRawBytes { (raw) throws(RedactionError) in
            var at = 0
            while at < raw.count {
                let n = min(256 * 1024, raw.count - at)
                try emit(UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)]))
                at += n
            }
        }
    }

    /// Ends the file. A held-whole format's clean file is verified as one shared buffer and
    /// returned in `whole` (not emitted); any other format's last bytes go to `emit`.
    private mutating func complete(
        whole: inout [UInt8], emit: (UnsafeRawBufferPointer) throws(RedactionError) -> Void
    ) throws(RedactionError) -> RedactionReport {
        if bytesIn == 0 { throw .empty }
        if scrubber == nil {
            if leadingTag != nil { throw .truncated(.mp3, offset: bytesIn) }
            _ = try start(final: true)
            var out: [UInt8] = []
            let held = prefix
            prefix = []
            try held.withRawBytes { (raw) throws(RedactionError) in try scrubber!.consume(raw, into: &out) }
            try pass(out)
            if !out.isEmpty { try out.withRawBytes { (raw) throws(RedactionError) in try emit(raw) } }
        }
        if var held = takeWholeFileScrubber(), var check = verifier as? any WholeFileVerifier {
            verifier = nil
            var (clean, summary) = try held.finishWhole()
            try check.verify(whole: clean)  // shares `clean`'s buffer; drops it when done
            bytesOut += clean.count
            summary.removed.formUnion(tagRemoved)
            swap(&whole, &clean)
            return RedactionReport(format: format!, bytesIn: bytesIn, bytesOut: bytesOut, summary: summary)
        }
        var verifier = self.verifier!
        var bytesOut = self.bytesOut
        var summary = try scrubber!.finish { (piece) throws(RedactionError) in
            bytesOut += piece.count
            guard !piece.isEmpty else { return }
            try verifier.consume(piece)
            try emit(piece)
        }
        try verifier.finish()
        self.verifier = verifier
        self.bytesOut = bytesOut
        summary.removed.formUnion(tagRemoved)
        return RedactionReport(format: format!, bytesIn: bytesIn, bytesOut: bytesOut, summary: summary)
    }

    /// Moves a held-whole scrubber out of the session, so its buffer has one owner and is
    /// changed in place rather than copied.
    private mutating func takeWholeFileScrubber() -> (any WholeFileScrubber)? {
        guard scrubber is any WholeFileScrubber else { return nil }
        var taken: (any Scrubber)?
        swap(&taken, &scrubber)
        return taken as? any WholeFileScrubber
    }

    /// Sniffs the buffered prefix; true once a scrubber is ready.
    private mutating func start(final: Bool) throws(RedactionError) -> Bool {
        switch FormatSniffer.sniff(prefix) {
        case .leadingID3(let tagBytes):
            guard droppedTags < 4 else { throw .malformed(.mp3, offset: bytesIn - prefix.count, reason: "tag after tag") }
            var tag = ID3v2LeadingTag(tagBytes: tagBytes, prefix: prefix)
            let took = prefix.withUnsafeBytes { tag.take($0) }
            prefix.removeFirst(took)
            guard tag.done else {
                if final { throw .truncated(.mp3, offset: bytesIn) }
                leadingTag = tag
                return false
            }
            tagDropped(tag)
            return try start(final: final)
        case .needMoreBytes where droppedTags > 0 && final && prefix.isEmpty:
            throw .malformed(.mp3, offset: bytesIn, reason: "an ID3 tag with no audio after it")
        case .needMoreBytes where !final && prefix.count < FormatSniffer.maxPrefixBytes:
            return false
        case .needMoreBytes, .unsupported:
            throw .unsupportedFormat
        case .format(let f):
            if droppedTags > 0 && f != .mp3 && f != .flac {
                throw .unsupportedLayout(f, reason: "an ID3 tag in front of a file that is not MP3 or FLAC")
            }
            guard accepted.contains(f) else { throw .formatNotAccepted(f) }
            guard let entry = FormatRegistry.entry(for: f) else {
                throw .unsupportedLayout(f, reason: "this build has no scrubber for the format")
            }
            format = f
            options.maxFileBytes = limits.maxBytes(for: f.kind)
            if bytesIn > options.maxFileBytes { throw .tooLarge(limit: options.maxFileBytes) }
            scrubber = entry.makeScrubber(options)
            verifier = entry.makeVerifier(options)
            return true
        }
    }

    private mutating func tagDropped(_ tag: ID3v2LeadingTag) {
        tagRemoved.formUnion(tag.removed)
        droppedTags += 1
        leadingTag = nil
    }

    /// Every output byte goes through the verifier, in order, before anyone sees it.
    private mutating func pass(_ out: [UInt8]) throws(RedactionError) {
        bytesOut += out.count
        guard !out.isEmpty else { return }
        try out.withRawBytes { (raw) throws(RedactionError) in try verifier!.consume(raw) }
    }
}
