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
        precondition(!finished, "StreamEncryptor.push after finish")
        let chunk = Self.plaintextChunkSize
        dataLength += UInt64(plaintext.count)
        let fullChunks = (pendingCount + plaintext.count) / chunk
        let headerCount = pendingHeader?.count ?? 0
        let outputCount = headerCount + fullChunks * Self.ciphertextChunkSize
        guard outputCount > 0 else {
            appendToPending(plaintext)
            return []
        }
        return [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
            var offset = takeHeader(into: out)
            var input = plaintext
            if fullChunks > 0 && pendingCount > 0 {
                let needed = chunk - pendingCount
                appendToPending(UnsafeRawBufferPointer(rebasing: input[0..<needed]))
                input = UnsafeRawBufferPointer(rebasing: input[needed...])
                stream.push(pending.baseAddress, count: chunk, tag: Secretstream.tagMessage,
                            into: out.baseAddress! + offset)
                offset += Self.ciphertextChunkSize
                pendingCount = 0
            }
            while input.count >= chunk {
                stream.push(input.baseAddress!, count: chunk, tag: Secretstream.tagMessage,
                            into: out.baseAddress! + offset)
                offset += Self.ciphertextChunkSize
                input = UnsafeRawBufferPointer(rebasing: input[chunk...])
            }
            appendToPending(input)
            initialized = offset
        }
    }

    public func push(_ plaintext: [UInt8]) -> [UInt8] {
        plaintext.withUnsafeBytes { push($0) }
    }

    /// Seals the rest: buffered data, the terminator, zero padding, and the TAG_FINAL chunk.
    /// Returns at most the padding (≤ 12 % of the length, far less above a few MiB) plus one chunk.
    public func finish() -> [UInt8] {
        precondition(!finished, "StreamEncryptor.finish called twice")
        finished = true
        let chunk = Self.plaintextChunkSize
        let emitted = dataLength - UInt64(pendingCount)
        let paddedLength = Padding.paddedLength(dataLength + 1)
        let remaining = Int(paddedLength - emitted)
        let chunks = (remaining + chunk - 1) / chunk
        let headerCount = pendingHeader?.count ?? 0
        let outputCount = headerCount + remaining + chunks * Secretstream.chunkOverhead
        return [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
            var offset = takeHeader(into: out)
            var left = remaining
            pending.withUnsafeMutableBytes { buffer in
                buffer[pendingCount] = Self.terminator
                Secretstream.wipe(buffer.baseAddress! + pendingCount + 1, count: chunk - pendingCount - 1)
            }
            for index in 0..<chunks {
                let size = min(chunk, left)
                let isLast = index == chunks - 1
                let tag = isLast ? Secretstream.tagFinal : (index == 0 ? Secretstream.tagPush : Secretstream.tagMessage)
                stream.push(pending.baseAddress, count: size, tag: tag, into: out.baseAddress! + offset)
                offset += size + Secretstream.chunkOverhead
                left -= size
                if index == 0 { pending.withUnsafeMutableBytes { Secretstream.wipe($0.baseAddress!, count: chunk) } }
            }
            pendingCount = 0
            initialized = offset
        }
    }

    private func appendToPending(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        pending.withUnsafeMutableBytes { buffer in
            (buffer.baseAddress! + pendingCount).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        pendingCount += bytes.count
    }

    private func takeHeader(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let header = pendingHeader else { return 0 }
        _ = out.initialize(from: header)
        pendingHeader = nil
        return header.count
    }
}
