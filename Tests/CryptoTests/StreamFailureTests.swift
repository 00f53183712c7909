import Testing

@testable import TiplineCrypto

@Suite("Stream failures")
struct StreamFailureTests {
    static let chunk = StreamEncryptor.plaintextChunkSize
    static let full = chunk + 17

    /// Header, three full chunks and a short final one.
    static func fourChunkStream() -> (key: SecureBytes, plaintext: [UInt8], ciphertext: [UInt8]) {
        let key = SecureBytes.random(count: 32)
        let plaintext = TestSupport.pattern(count: 3 * chunk + 1234)
        return (key, plaintext, TestSupport.encrypt(plaintext, key: key, pieceSize: 1 << 20))
    }

    static func chunkRange(_ index: Int) -> Range<Int> { (24 + index * full)..<(24 + (index + 1) * full) }

    @Test("a flipped bit in any chunk fails that chunk", arguments: [0, 1, 3], [1, 4096, 1 << 20])
    func flippedBit(chunkIndex: Int, pieceSize: Int) {
        var (key, _, ciphertext) = Self.fourChunkStream()
        ciphertext[24 + chunkIndex * Self.full + 100] ^= 0x10
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: chunkIndex)) {
            try TestSupport.decrypt(ciphertext, key: key, pieceSize: pieceSize)
        }
    }

    @Test("a flipped bit in the header fails the first chunk")
    func flippedHeaderBit() {
        var (key, _, ciphertext) = Self.fourChunkStream()
        ciphertext[5] ^= 1
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 0)) {
            try TestSupport.decrypt(ciphertext, key: key, pieceSize: 1 << 20)
        }
    }

    @Test("a dropped chunk fails authentication where it is missing")
    func droppedChunk() {
        var (key, _, ciphertext) = Self.fourChunkStream()
        ciphertext.removeSubrange(Self.chunkRange(1))
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 1)) {
            try TestSupport.decrypt(ciphertext, key: key, pieceSize: 7777)
        }
    }

    @Test("swapped chunks fail authentication")
    func swappedChunks() {
        let (key, _, original) = Self.fourChunkStream()
        var ciphertext = original
        ciphertext.replaceSubrange(Self.chunkRange(1), with: original[Self.chunkRange(2)])
        ciphertext.replaceSubrange(Self.chunkRange(2), with: original[Self.chunkRange(1)])
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 1)) {
            try TestSupport.decrypt(ciphertext, key: key, pieceSize: 1 << 20)
        }
    }

    @Test(
        "a stream cut at a chunk boundary or mid-chunk is truncated",
        arguments: [0, 10, 24, 24 + full, 24 + full + 1000, 24 + 3 * full])
    func truncated(keep: Int) {
        let (key, _, ciphertext) = Self.fourChunkStream()
        #expect(throws: CryptoError.streamTruncated) {
            try TestSupport.decrypt(Array(ciphertext[0..<keep]), key: key, pieceSize: 1000)
        }
    }

    @Test(
        "bytes after the final chunk are trailing data",
        arguments: [1, 17, 5000, 70000], [1, 999, 1 << 20])
    func trailingData(extra: Int, pieceSize: Int) {
        for size in [0, 10, 3 * Self.chunk + 1234, Self.chunk - 1] {
            let key = SecureBytes.random(count: 32)
            let ciphertext = TestSupport.encrypt(TestSupport.pattern(count: size), key: key, pieceSize: 1 << 20)
            #expect(throws: CryptoError.trailingData) {
                try TestSupport.decrypt(ciphertext + TestSupport.pattern(count: extra), key: key, pieceSize: pieceSize)
            }
        }
    }

    @Test("the wrong key fails the first chunk", arguments: [0, 100, 3 * 65536 + 1234])
    func wrongKey(size: Int) {
        let key = SecureBytes.random(count: 32)
        let ciphertext = TestSupport.encrypt(TestSupport.pattern(count: size), key: key, pieceSize: 1 << 20)
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 0)) {
            try TestSupport.decrypt(ciphertext, key: SecureBytes.random(count: 32), pieceSize: 4096)
        }
    }

    @Test("errors are sticky: later calls repeat the first error")
    func stickyErrors() throws {
        var (key, _, ciphertext) = Self.fourChunkStream()
        ciphertext[24 + 3] ^= 1
        let decryptor = StreamDecryptor(key: key)
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 0)) { try decryptor.push(ciphertext) }
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 0)) { try decryptor.push([1, 2, 3]) }
        #expect(throws: CryptoError.chunkAuthenticationFailed(chunkIndex: 0)) { try decryptor.finish() }
    }

    // MARK: Streams the encryptor never writes, crafted on raw libsodium

    static let rawKey = TestSupport.pattern(count: 32, seed: 11)
    static let rawHeader = TestSupport.pattern(count: 24, seed: 12)

    static func decryptRaw(_ chunks: [([UInt8], UInt8)]) throws(CryptoError) -> [UInt8] {
        let stream = RawSecretstream.stream(key: rawKey, header: rawHeader, chunks: chunks)
        return try TestSupport.decrypt(stream, key: SecureBytes(copying: rawKey), pieceSize: 1 << 20)
    }

    @Test("a hand-made stream in the documented layout decrypts")
    func handMadeValidStream() throws {
        // 5 data bytes → padded length PADMÉ(6) = 6: data ‖ 0x80.
        #expect(try Self.decryptRaw([([1, 2, 3, 4, 5, 0x80], RawSecretstream.tagFinal)]) == [1, 2, 3, 4, 5])
        // 9 data bytes → PADMÉ(10) = 10.
        let data = [UInt8](repeating: 9, count: 9)
        #expect(try Self.decryptRaw([(data + [0x80], RawSecretstream.tagFinal)]) == data)
    }

    @Test("non-zero padding is rejected")
    func nonZeroPadding() {
        // 10 data bytes → PADMÉ(11) = 12: data ‖ 0x80 ‖ 00; make the last byte 01.
        let data = [UInt8](repeating: 3, count: 10)
        #expect(throws: CryptoError.invalidPadding) {
            try Self.decryptRaw([(data + [0x80, 0x01], RawSecretstream.tagFinal)])
        }
    }

    @Test("a missing terminator byte is rejected")
    func missingTerminator() {
        #expect(throws: CryptoError.invalidPadding) {
            try Self.decryptRaw([([1, 2, 3, 4, 5, 0], RawSecretstream.tagFinal)])
        }
        #expect(throws: CryptoError.invalidPadding) {
            try Self.decryptRaw([([0, 0, 0, 0, 0, 0], RawSecretstream.tagFinal)])
        }
    }

    @Test("a padded length that is not PADMÉ(length + 1) is rejected")
    func wrongPaddedLength() {
        // 5 data bytes padded to 8 instead of 6 (8 is a PADMÉ value, but not PADMÉ(6)).
        #expect(throws: CryptoError.invalidPadding) {
            try Self.decryptRaw([([1, 2, 3, 4, 5, 0x80, 0, 0], RawSecretstream.tagFinal)])
        }
    }

    @Test("non-zero bytes in a padding chunk after the terminator are rejected")
    func dirtyPaddingChunk() {
        // 64 full data chunks, then 9 data bytes: PADMÉ(64·C + 10) = 66·C, so chunk 64 holds
        // data ‖ 0x80 ‖ zeros (PUSH) and chunk 65 is padding only (FINAL); dirty its last byte.
        let dataChunk = [UInt8](repeating: 1, count: Self.chunk)
        var chunks = [([UInt8], UInt8)](repeating: (dataChunk, RawSecretstream.tagMessage), count: 64)
        chunks.append(
            (
                [UInt8](repeating: 2, count: 9) + [0x80] + [UInt8](repeating: 0, count: Self.chunk - 10),
                RawSecretstream.tagPush
            ))
        var padding = [UInt8](repeating: 0, count: Self.chunk)
        #expect(Padding.paddedLength(UInt64(64 * Self.chunk + 10)) == UInt64(66 * Self.chunk))
        #expect(throws: Never.self) {
            try Self.decryptRaw(chunks + [(padding, RawSecretstream.tagFinal)])
        }
        padding[padding.count - 1] = 1
        #expect(throws: CryptoError.invalidPadding) {
            try Self.decryptRaw(chunks + [(padding, RawSecretstream.tagFinal)])
        }
    }

    @Test("a rekey tag is never accepted")
    func rekeyTag() {
        let data = [UInt8](repeating: 1, count: Self.chunk)
        #expect(throws: CryptoError.unexpectedChunkTag(chunkIndex: 0)) {
            try Self.decryptRaw([(data, RawSecretstream.tagRekey), ([0x80], RawSecretstream.tagFinal)])
        }
    }

    @Test("a final chunk followed by another chunk is trailing data")
    func chunkAfterFinal() {
        #expect(throws: CryptoError.trailingData) {
            try Self.decryptRaw([([1, 0x80], RawSecretstream.tagFinal), ([1, 0x80], RawSecretstream.tagFinal)])
        }
    }
}
