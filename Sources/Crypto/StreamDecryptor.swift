/// Decrypts a part written by `StreamEncryptor` (FORMAT.md §7), piece by piece in bounded
/// memory, returning only plaintext that has been authenticated and is known to be data (never
/// padding). Errors are sticky: once a push throws, every later call throws the same error.
///
/// Finding the last chunk: every chunk but the last holds exactly 64 KiB, and the padded length
/// is always a PADMÉ value, so a short buffered tail can only be the final chunk at a few
/// lengths; the decryptor tries those (FORMAT.md §7.4). Single owner: not Sendable.
public final class StreamDecryptor {
    private static var chunk: Int { StreamEncryptor.plaintextChunkSize }
    private static var fullCiphertextChunk: Int { chunk + Secretstream.chunkOverhead }

    private let key: SecureBytes
    private var stream = Secretstream()
    private var header = [UInt8]()
    private var started = false
    /// Ciphertext of the chunk being collected (< one full chunk).
    private let buffer = UnsafeMutableRawPointer.allocate(
        byteCount: StreamEncryptor.plaintextChunkSize + 64, alignment: 16)
    private var bufferCount = 0
    /// Buffered lengths up to this have been tried as a short final chunk.
    private var triedUpTo = 0
    private var chunkIndex = 0
    private var paddedConsumed: UInt64 = 0
    private var dataLength: UInt64 = 0
    private var terminatorSeen = false
    private var finalSeen = false
    private var failure: CryptoError?

    /// Decrypts a stream made under `key` (32 bytes), e.g. one returned by
    /// `StreamEncryptor.withRandomKey()`.
    public init(key: SecureBytes) {
        precondition(key.count == Secretstream.keyBytes, "stream key must be 32 bytes")
        self.key = key
    }

    deinit {
        stream.wipe()
        buffer.deallocate()
    }

    public func push(_ ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
        let result = ciphertext.withUnsafeBytes { bytes in
            Result { () throws(CryptoError) in try push(bytes) }
        }
        return try result.get()
    }

    public func push(_ ciphertext: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        if let failure { throw failure }
        var input = ciphertext
        if !started {
            let take = min(Secretstream.headerBytes - header.count, input.count)
            header.append(contentsOf: input[0..<take])
            input = UnsafeRawBufferPointer(rebasing: input[take...])
            guard header.count == Secretstream.headerBytes else { return [] }
            header.withUnsafeBytes { stream.initPull(key: key, header: $0.baseAddress!) }
            started = true
        }
        guard !input.isEmpty else { return [] }
        if finalSeen { return try fail(.trailingData) }
        let available = bufferCount + input.count
        if available < Self.fullCiphertextChunk && !hasCandidate(upTo: available) {
            appendToBuffer(input)
            triedUpTo = bufferCount
            return []
        }
        var error: CryptoError?
        let output = [UInt8](unsafeUninitializedCapacity: available) { out, initialized in
            var offset = 0
            do throws(CryptoError) {
                if bufferCount > 0 {
                    let take = min(Self.fullCiphertextChunk - bufferCount, input.count)
                    appendToBuffer(UnsafeRawBufferPointer(rebasing: input[0..<take]))
                    input = UnsafeRawBufferPointer(rebasing: input[take...])
                    if bufferCount == Self.fullCiphertextChunk {
                        offset += try openFullChunk(
                            UnsafeRawBufferPointer(start: buffer, count: bufferCount),
                            into: out.baseAddress! + offset)
                        bufferCount = 0
                    }
                }
                while bufferCount == 0 && input.count >= Self.fullCiphertextChunk && !finalSeen {
                    let chunkBytes = UnsafeRawBufferPointer(rebasing: input[0..<Self.fullCiphertextChunk])
                    offset += try openFullChunk(chunkBytes, into: out.baseAddress! + offset)
                    input = UnsafeRawBufferPointer(rebasing: input[Self.fullCiphertextChunk...])
                }
                if finalSeen && (bufferCount > 0 || !input.isEmpty) { throw .trailingData }
                appendToBuffer(input)
                offset += try tryShortFinalChunk(into: out.baseAddress! + offset)
            } catch let caught {
                error = caught
            }
            initialized = offset
        }
        if let error { return try fail(error) }
        return output
    }

    /// Succeeds only after the TAG_FINAL chunk, with nothing after it.
    public func finish() throws(CryptoError) {
        if let failure { throw failure }
        if finalSeen { return }
        // Everything that could be a final chunk was tried in push; what is left is either an
        // impossible length (the stream was cut) or a possible one that failed to authenticate.
        if started && bufferCount > Secretstream.chunkOverhead
            && isCandidate(bufferCount - Secretstream.chunkOverhead)
        {
            try failVoid(.chunkAuthenticationFailed(chunkIndex: chunkIndex))
        }
        try failVoid(.streamTruncated)
    }

    // MARK: Chunks

    /// Opens a full-size chunk; if it fails, checks whether a short final chunk followed by
    /// extra bytes explains it, to report trailing data rather than corruption.
    private func openFullChunk(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer)
        throws(CryptoError) -> Int
    {
        if let tag = stream.pull(bytes.baseAddress!, count: bytes.count, into: out) {
            return try accept(tag: tag, plaintext: out, count: Self.chunk, isFull: true)
        }
        var trial = stream
        var candidate = nextCandidate(atLeast: max(triedUpTo - Secretstream.chunkOverhead, 0) + 1)
        while let count = candidate, count + Secretstream.chunkOverhead < bytes.count {
            if let tag = trial.pull(bytes.baseAddress!, count: count + Secretstream.chunkOverhead, into: out),
                tag == Secretstream.tagFinal
            {
                throw .trailingData
            }
            candidate = nextCandidate(atLeast: count + 1)
        }
        throw .chunkAuthenticationFailed(chunkIndex: chunkIndex)
    }

    /// Tries the buffered tail at every not-yet-tried length where a final chunk could end.
    private func tryShortFinalChunk(into out: UnsafeMutableRawPointer) throws(CryptoError) -> Int {
        defer { triedUpTo = max(triedUpTo, bufferCount) }
        var candidate = nextCandidate(atLeast: max(triedUpTo - Secretstream.chunkOverhead, 0) + 1)
        while let count = candidate, count + Secretstream.chunkOverhead <= bufferCount {
            let length = count + Secretstream.chunkOverhead
            if let tag = stream.pull(buffer, count: length, into: out) {
                guard tag == Secretstream.tagFinal else { throw .unexpectedChunkTag(chunkIndex: chunkIndex) }
                let released = try accept(tag: tag, plaintext: out, count: count, isFull: false)
                if length < bufferCount { throw .trailingData }
                bufferCount = 0
                return released
            }
            candidate = nextCandidate(atLeast: count + 1)
        }
        return 0
    }

    /// Applies FORMAT.md §7.3 to a decrypted chunk; returns how many leading bytes are data.
    private func accept(tag: UInt8, plaintext: UnsafeMutableRawPointer, count: Int, isFull: Bool)
        throws(CryptoError) -> Int
    {
        let index = chunkIndex
        chunkIndex += 1
        triedUpTo = 0
        paddedConsumed += UInt64(count)
        var released = 0
        switch tag {
        case Secretstream.tagMessage where !terminatorSeen:
            released = count
        case Secretstream.tagPush where !terminatorSeen, Secretstream.tagFinal where !terminatorSeen:
            var end = count
            while end > 0 && plaintext.load(fromByteOffset: end - 1, as: UInt8.self) == 0 { end -= 1 }
            guard end > 0, plaintext.load(fromByteOffset: end - 1, as: UInt8.self) == StreamEncryptor.terminator
            else { throw .invalidPadding }
            released = end - 1
            terminatorSeen = true
        case Secretstream.tagMessage, Secretstream.tagFinal:
            guard Secretstream.isAllZero(plaintext, count: count) else { throw .invalidPadding }
        default:
            throw .unexpectedChunkTag(chunkIndex: index)
        }
        dataLength += UInt64(released)
        if tag == Secretstream.tagFinal {
            finalSeen = true
            guard paddedConsumed == Padding.paddedLength(dataLength + 1) else { throw .invalidPadding }
        } else if !isFull {
            throw .unexpectedChunkTag(chunkIndex: index)
        }
        return released
    }

    /// Whether a final chunk with `plaintextCount` bytes would leave a valid padded length.
    private func isCandidate(_ plaintextCount: Int) -> Bool {
        guard plaintextCount >= 1, plaintextCount < Self.chunk else { return false }
        let total = paddedConsumed + UInt64(plaintextCount)
        if terminatorSeen { return total == Padding.paddedLength(dataLength + 1) }
        return Padding.paddedLength(total) == total
    }

    /// The smallest plaintext count ≥ `minimum` a short final chunk could have, if any. PADMÉ is
    /// monotonic and idempotent, so PADMÉ(y) is the first padded length at or after y: no scan.
    private func nextCandidate(atLeast minimum: Int) -> Int? {
        let first = max(minimum, 1)
        guard first < Self.chunk else { return nil }
        let count: UInt64
        if terminatorSeen {
            let target = Padding.paddedLength(dataLength + 1)
            guard target >= paddedConsumed + UInt64(first) else { return nil }
            count = target - paddedConsumed
        } else {
            count = Padding.paddedLength(paddedConsumed + UInt64(first)) - paddedConsumed
        }
        return count < UInt64(Self.chunk) ? Int(count) : nil
    }

    private func hasCandidate(upTo length: Int) -> Bool {
        guard let count = nextCandidate(atLeast: max(triedUpTo - Secretstream.chunkOverhead, 0) + 1) else {
            return false
        }
        return count + Secretstream.chunkOverhead <= length
    }

    private func appendToBuffer(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        (buffer + bufferCount).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        bufferCount += bytes.count
    }

    private func fail(_ error: CryptoError) throws(CryptoError) -> [UInt8] {
        failure = error
        throw error
    }

    private func failVoid(_ error: CryptoError) throws(CryptoError) {
        failure = error
        throw error
    }
}
