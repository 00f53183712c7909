/// Encrypts one part (document or attachment) as a padded secretstream (FORMAT.md §7).
///
/// Plaintext arrives in pieces of any size; every full 64 KiB chunk is sealed as soon as it is
/// complete, so memory stays at one chunk. `finish` appends the terminator byte 0x80 and zero
/// padding up to PADMÉ(length + 1), which hides the exact length from anyone holding the
/// ciphertext. Single owner: not Sendable, use from one task.
public final class StreamEncryptor {
    /// FORMAT.md §7: every chunk but the last carries exactly this many plaintext bytes.
    public static let plaintextChunkSize = 64 * 1024
    /// FORMAT.md §7: the padding starts with this byte; all bytes after it are zero.
    static let terminator: UInt8 = 0x80

    private static var ciphertextChunkSize: Int { plaintextChunkSize + Secretstream.chunkOverhead }

    private var stream = Secretstream()
    private var pendingHeader: [UInt8]?
    private let pending = SecureBytes(count: StreamEncryptor.plaintextChunkSize)
    private var pendingCount = 0
    private var dataLength: UInt64 = 0
    private var finished = false

    /// A stream under `key` (32 bytes) with a fresh random header.
    init(key: SecureBytes) {
        var header = [UInt8](repeating: 0, count: Secretstream.headerBytes)
        header.withUnsafeMutableBytes { stream.initPush(key: key, header: $0.baseAddress!) }
        pendingHeader = header
    }

    /// TEST-ONLY HOOK (see TestOnlyDeterminism.swift): a stream whose header is fixed, so test
    /// vectors can be re-encrypted byte for byte.
    init(key: SecureBytes, testOnlyFixedHeader header: [UInt8]) {
        precondition(header.count == Secretstream.headerBytes, "secretstream header must be 24 bytes")
        header.withUnsafeBytes { stream.initPull(key: key, header: $0.baseAddress!) }
        pendingHeader = header
    }

    /// A fresh stream under a random key, for spilling plaintext to a temporary file: keep the
    /// returned key in memory and read the file back with `StreamDecryptor(key:)`.
    public static func withRandomKey() -> (encryptor: StreamEncryptor, key: SecureBytes) {
        let key = SecureBytes.random(count: Secretstream.keyBytes)
        return (StreamEncryptor(key: key), key)
    }

    deinit { stream.wipe() }

    /// Returns the ciphertext ready so far: the header on the first call, then whole chunks.
    public func push(_ plaintext: UnsafeRawBufferPointer) -> [UInt8] {
        let outputCount = ciphertextCount(forPushing: plaintext.count)
        guard outputCount > 0 else {
            _ = push(plaintext, into: UnsafeMutableRawBufferPointer(start: nil, count: 0))
            return []
        }
        return [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
            initialized = push(plaintext, into: UnsafeMutableRawBufferPointer(out))
        }
    }

    /// How many bytes `push(_:into:)` will write for `count` more plaintext bytes.
    public func ciphertextCount(forPushing count: Int) -> Int {
        (pendingHeader?.count ?? 0) + (pendingCount + count) / Self.plaintextChunkSize * Self.ciphertextChunkSize
    }

    /// Like `push(_:)` but writes into caller-owned memory (at least
    /// `ciphertextCount(forPushing:)` bytes) and returns the count written: no allocation per
    /// call, for callers that reuse one output buffer.
    public func push(_ plaintext: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int {
        precondition(!finished, "StreamEncryptor.push after finish")
        let chunk = Self.plaintextChunkSize
        let fullChunks = (pendingCount + plaintext.count) / chunk
        precondition(out.count >= ciphertextCount(forPushing: plaintext.count), "output buffer too small")
        dataLength += UInt64(plaintext.count)
        var offset = takeHeader(into: out)
        var input = plaintext
        if fullChunks > 0 && pendingCount > 0 {
            let needed = chunk - pendingCount
            appendToPending(UnsafeRawBufferPointer(rebasing: input[0..<needed]))
            input = UnsafeRawBufferPointer(rebasing: input[needed...])
            stream.push(pending.baseAddress, count: chunk, tag: Secretstream.tagMessage, into: out.baseAddress! + offset)
            offset += Self.ciphertextChunkSize
            pendingCount = 0
        }
        while input.count >= chunk {
            stream.push(input.baseAddress!, count: chunk, tag: Secretstream.tagMessage, into: out.baseAddress! + offset)
            offset += Self.ciphertextChunkSize
            input = UnsafeRawBufferPointer(rebasing: input[chunk...])
        }
        appendToPending(input)
        return offset
    }

    public func push(_ plaintext: [UInt8]) -> [UInt8] {
        plaintext.withUnsafeBytes { push($0) }
    }

    /// Seals the rest: buffered data, the terminator, zero padding, and the TAG_FINAL chunk.
    /// Returns at most the padding (≤ 12 % of the length, far less above a few MiB) plus one chunk;
    /// callers that store large parts use `finish(emit:)`, which never holds the padding at once.
    public func finish() -> [UInt8] {
        var out: [UInt8] = []
        finish { (piece: UnsafeRawBufferPointer) in out.append(contentsOf: piece) }
        return out
    }

    /// Like `finish()`, but hands the ciphertext to `emit` one chunk at a time (the header, if
    /// not sent yet, comes with the first), so memory stays at one chunk even when PADMÉ adds
    /// tens of MiB to a GiB-sized part. `emit`'s buffer is only valid during the call.
    public func finish<E: Error>(emit: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        precondition(!finished, "StreamEncryptor.finish called twice")
        finished = true
        let chunk = Self.plaintextChunkSize
        let emitted = dataLength - UInt64(pendingCount)
        let remaining = Int(Padding.paddedLength(dataLength + 1) - emitted)
        let chunks = (remaining + chunk - 1) / chunk
        let out = SecureBytes(count: Secretstream.headerBytes + Self.ciphertextChunkSize)
        pending.withUnsafeMutableBytes { buffer in
            buffer[pendingCount] = Self.terminator
            Secretstream.wipe(buffer.baseAddress! + pendingCount + 1, count: chunk - pendingCount - 1)
        }
        pendingCount = 0
        var left = remaining
        for index in 0..<chunks {
            let size = min(chunk, left)
            let isLast = index == chunks - 1
            let tag = isLast ? Secretstream.tagFinal : (index == 0 ? Secretstream.tagPush : Secretstream.tagMessage)
            let count = out.withUnsafeMutableBytes { buffer in
                let offset = takeHeader(into: buffer)
                stream.push(pending.baseAddress, count: size, tag: tag, into: buffer.baseAddress! + offset)
                return offset + size + Secretstream.chunkOverhead
            }
            left -= size
            if index == 0 { pending.withUnsafeMutableBytes { Secretstream.wipe($0.baseAddress!, count: chunk) } }
            try out.withUnsafeBytes { (buffer) throws(E) in try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
        }
    }

    private func appendToPending(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        pending.withUnsafeMutableBytes { buffer in
            (buffer.baseAddress! + pendingCount).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        pendingCount += bytes.count
    }

    private func takeHeader(into out: UnsafeMutableRawBufferPointer) -> Int {
        guard let header = pendingHeader else { return 0 }
        header.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        pendingHeader = nil
        return header.count
    }
}
