import Testing

@testable import TiplineCrypto

@Suite("Stream round trips")
struct StreamRoundTripTests {
    static let chunk = StreamEncryptor.plaintextChunkSize
    static let boundarySizes = [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk + 4321]

    @Test("round trip at chunk boundaries, fed in odd-sized pieces", arguments: boundarySizes, [1, 7, 1 << 20])
    func roundTripAtBoundaries(size: Int, pieceSize: Int) throws {
        let key = SecureBytes.random(count: 32)
        let plaintext = TestSupport.pattern(count: size, seed: UInt64(size + 1))
        let ciphertext = TestSupport.encrypt(plaintext, key: key, pieceSize: pieceSize)
        #expect(ciphertext.count == TestSupport.ciphertextLength(plaintext: size))
        let decrypted = try TestSupport.decrypt(ciphertext, key: key, pieceSize: pieceSize)
        #expect(decrypted == plaintext)
    }

    @Test("10 MiB round trip in 7-byte, chunk+3 and 1 MiB pieces", arguments: [7, 65536 + 3, 1 << 20])
    func tenMebibytes(pieceSize: Int) throws {
        let key = SecureBytes.random(count: 32)
        let plaintext = TestSupport.pattern(count: 10 << 20)
        let ciphertext = TestSupport.encrypt(plaintext, key: key, pieceSize: pieceSize)
        #expect(ciphertext.count == TestSupport.ciphertextLength(plaintext: plaintext.count))
        let decrypted = try TestSupport.decrypt(ciphertext, key: key, pieceSize: pieceSize)
        #expect(decrypted == plaintext)
    }

    /// 2 MiB + 5 crosses the size where PADMÉ buckets reach whole chunks; 10 MiB byte by byte
    /// would take ~20 s in a debug build for no extra boundary.
    @Test("2 MiB + 5 fed one byte at a time")
    func byteByByte() throws {
        let key = SecureBytes.random(count: 32)
        let plaintext = TestSupport.pattern(count: (2 << 20) + 5, seed: 3)
        let ciphertext = TestSupport.encrypt(plaintext, key: key, pieceSize: 1)
        #expect(try TestSupport.decrypt(ciphertext, key: key, pieceSize: 1) == plaintext)
    }

    @Test("encryptor releases whole chunks as soon as they are complete")
    func encryptorOutputIsChunkAligned() {
        let (encryptor, _) = StreamEncryptor.withRandomKey()
        #expect(encryptor.push([UInt8](repeating: 1, count: 10)).count == 24)  // header only
        #expect(encryptor.push([UInt8](repeating: 1, count: Self.chunk - 11)).isEmpty)
        #expect(encryptor.push([1]).count == Self.chunk + 17)
        #expect(encryptor.push([UInt8](repeating: 1, count: 3 * Self.chunk)).count == 3 * (Self.chunk + 17))
    }

    /// 33 MiB + 1 pads to 34 MiB: the ~1 MiB of padding must leave one chunk at a time.
    @Test("finish(emit:) hands out the padding chunk by chunk, same bytes as finish()")
    func finishEmitsChunkByChunk() throws {
        let key = SecureBytes.random(count: 32)
        let size = (33 << 20) + 1
        let plaintext = TestSupport.pattern(count: size, seed: 9)
        let encryptor = StreamEncryptor(key: key)
        var ciphertext = plaintext.withUnsafeBytes { encryptor.push($0) }
        var pieces = 0
        var largest = 0
        encryptor.finish { piece in
            pieces += 1
            largest = max(largest, piece.count)
            ciphertext.append(contentsOf: piece)
        }
        #expect(Padding.paddedLength(UInt64(size) + 1) == 34 << 20)
        #expect(pieces == 16)  // the last MiB: 1 byte of data, the terminator, zeros
        #expect(largest == Self.chunk + 17)
        #expect(ciphertext.count == TestSupport.ciphertextLength(plaintext: size))
        #expect(try TestSupport.decrypt(ciphertext, key: key, pieceSize: 1 << 20) == plaintext)
    }

    @Test("decryptor releases data chunk by chunk, never padding")
    func decryptorStreamsWithoutPadding() throws {
        let key = SecureBytes.random(count: 32)
        let plaintext = TestSupport.pattern(count: 3 * Self.chunk + 10)
        let ciphertext = TestSupport.encrypt(plaintext, key: key, pieceSize: 1 << 20)
        let decryptor = StreamDecryptor(key: key)
        let first = try decryptor.push(Array(ciphertext[0..<(24 + Self.chunk + 17)]))
        #expect(first == Array(plaintext[0..<Self.chunk]))
        let rest = try decryptor.push(Array(ciphertext[(24 + Self.chunk + 17)...]))
        #expect(first + rest == plaintext)
        try decryptor.finish()
    }

    @Test("padded sizes hide the exact length: neighbours share a ciphertext size")
    func neighboursShareSize() {
        let key = SecureBytes.random(count: 32)
        let a = TestSupport.encrypt([UInt8](repeating: 7, count: 1_000_001), key: key, pieceSize: 1 << 20)
        let b = TestSupport.encrypt([UInt8](repeating: 7, count: 1_000_100), key: key, pieceSize: 1 << 20)
        #expect(a.count == b.count)
    }
}
