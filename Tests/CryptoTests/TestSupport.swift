import Foundation

@testable import TiplineCrypto

/// Helpers shared by the CryptoTests suites.
enum TestSupport {
    static let chunk = StreamEncryptor.plaintextChunkSize
    static let headerBytes = 24
    static let chunkOverhead = 17
    static var fullChunk: Int { chunk + chunkOverhead }

    /// Deterministic, non-repeating-looking bytes (a xorshift stream) so failures are reproducible.
    static func pattern(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var state = seed | 1
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                buffer[index] = UInt8(truncatingIfNeeded: state >> 32)
            }
        }
        return out
    }

    static func encrypt(_ plaintext: [UInt8], key: SecureBytes, pieceSize: Int) -> [UInt8] {
        let encryptor = StreamEncryptor(key: key)
        var out = [UInt8]()
        out.reserveCapacity(plaintext.count + plaintext.count / 8 + 256)
        plaintext.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + pieceSize, bytes.count)
                out += encryptor.push(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                offset = end
            }
        }
        out += encryptor.finish()
        return out
    }

    static func decrypt(_ ciphertext: [UInt8], key: SecureBytes, pieceSize: Int) throws(CryptoError) -> [UInt8] {
        try decrypt(ciphertext, decryptor: StreamDecryptor(key: key), pieceSize: pieceSize)
    }

    static func decrypt(_ ciphertext: [UInt8], decryptor: StreamDecryptor, pieceSize: Int) throws(CryptoError)
        -> [UInt8]
    {
        var out = [UInt8]()
        out.reserveCapacity(ciphertext.count)
        var offset = 0
        while offset < ciphertext.count {
            let end = min(offset + pieceSize, ciphertext.count)
            let piece = ciphertext.withUnsafeBytes { bytes in
                Result { () throws(CryptoError) in
                    try decryptor.push(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                }
            }
            out += try piece.get()
            offset = end
        }
        try decryptor.finish()
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { Encoding.hex(bytes) }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8).filter { !($0 == 32 || $0 == 10 || $0 == 13 || $0 == 9) }
        precondition(digits.count % 2 == 0, "odd hex length")
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: preconditionFailure("bad hex digit")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    /// Expected ciphertext length of a part holding `length` plaintext bytes (FORMAT.md §7.2).
    static func ciphertextLength(plaintext length: Int) -> Int {
        let padded = Int(Padding.paddedLength(UInt64(length) + 1))
        let chunks = (padded + chunk - 1) / chunk
        return headerBytes + padded + chunks * chunkOverhead
    }
}
