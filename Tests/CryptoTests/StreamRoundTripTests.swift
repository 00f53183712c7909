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

    @Test("encryptor releases whole chunks as soon as they are complete")
    func encryptorOutputIsChunkAligned() {
        let (encryptor, _) = StreamEncryptor.withRandomKey()
        #expect(encryptor.push([UInt8](repeating: 1, count: 10)).count == 24)  // header only
        #expect(encryptor.push([UInt8](repeating: 1, count: Self.chunk - 11)).isEmpty)
        #expect(encryptor.push([1]).count == Self.chunk + 17)
        #expect(encryptor.push([UInt8](repeating: 1, count: 3 * Self.chunk)).count == 3 * (Self.chunk + 17))
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
