import Testing

@testable import TiplineCrypto

/// The encryptor's output read back with raw libsodium: chunk sizes, tags and padding bytes
/// are exactly what FORMAT.md §7 says.
@Suite("Stream framing")
struct StreamFramingTests {
    static let chunk = StreamEncryptor.plaintextChunkSize

    @Test("chunks, tags and padding match FORMAT.md", arguments: [0, 1, 100, 65535, 65536, 200_000, 1_100_000, 64 * 65536 + 9])
    func framing(size: Int) throws {
        let key = TestSupport.pattern(count: 32, seed: 5)
        let header = TestSupport.pattern(count: 24, seed: 6)
        let data = TestSupport.pattern(count: size, seed: 7)
        let encryptor = TestOnlyDeterminism.encryptor(key: key, header: header)
        let ciphertext = encryptor.push(data) + encryptor.finish()
        #expect(Array(ciphertext[0..<24]) == header)

        var reader = RawSecretstream(key: key, header: header)
        var offset = 24
        var padded = [UInt8]()
        var tags = [UInt8]()
        while offset < ciphertext.count {
            let end = min(offset + Self.chunk + 17, ciphertext.count)
            let pulled = reader.pull(ciphertext[offset..<end])
            let opened = try #require(pulled)
            padded += opened.plaintext
            tags.append(opened.tag)
            offset = end
        }
        let paddedLength = Int(Padding.paddedLength(UInt64(size) + 1))
        #expect(padded.count == paddedLength)
        #expect(Array(padded[0..<size]) == data)
        #expect(padded[size] == 0x80)
        #expect(padded[(size + 1)...].allSatisfy { $0 == 0 })
        // Data-only chunks are MESSAGE, the chunk holding 0x80 is PUSH (or FINAL if last),
        // later padding chunks are MESSAGE, the last one FINAL.
        let markerChunk = size / Self.chunk
        for (index, tag) in tags.enumerated() {
            let expected: UInt8 =
                index == tags.count - 1 ? 3 : (index == markerChunk ? 1 : 0)
            #expect(tag == expected, "chunk \(index)")
        }
    }
}
