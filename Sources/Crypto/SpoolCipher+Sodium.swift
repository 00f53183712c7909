import CSodium

/// Encrypts the blocks of a temporary spool file under a key that exists only in locked,
/// wiped memory and dies with the upload (`crypto_aead_xchacha20poly1305_ietf`). Each block
/// has a fixed place in the file and its index as nonce (the key is never reused across files,
/// so index nonces never repeat under one key) and as associated data, so a block cannot be
/// moved. The movie scrubber parks a video's media data here until its index has been read:
/// what reaches the disk is ciphertext whose key no one will ever hold again.
public final class SpoolCipher: @unchecked Sendable {
    public static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
    private let key: SecureBytes

    public init() {
        _ = SodiumRuntime.ready
        key = SecureBytes.random(count: Int(crypto_aead_xchacha20poly1305_ietf_keybytes()))
    }

    /// `plaintext` sealed as block `index`: `plaintext.count + tagBytes` bytes.
    public func seal(_ plaintext: UnsafeRawBufferPointer, index: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + Self.tagBytes)
        var nonce = Self.nonce(index)
        var ad = Self.associated(index)
        var outCount: UInt64 = 0
        let status = out.withUnsafeMutableBytes { o in
            key.withUnsafeBytes { k in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    o.baseAddress!.assumingMemoryBound(to: UInt8.self), &outCount,
                    plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count), &ad, UInt64(ad.count),
                    nil, &nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        precondition(status == 0, "crypto_aead_xchacha20poly1305_ietf_encrypt failed")
        return out
    }

    /// Opens block `index` into `plaintext` (locked memory, at least `ciphertext.count -
    /// tagBytes` long); returns the plaintext length, or nil if the block was altered.
    public func open(_ ciphertext: [UInt8], index: UInt64, into plaintext: SecureBytes) -> Int? {
        guard ciphertext.count >= Self.tagBytes, plaintext.count >= ciphertext.count - Self.tagBytes else { return nil }
        var nonce = Self.nonce(index)
        var ad = Self.associated(index)
        var outCount: UInt64 = 0
        let status = plaintext.withUnsafeMutableBytes { p in
            key.withUnsafeBytes { k in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    p.baseAddress!.assumingMemoryBound(to: UInt8.self), &outCount, nil, ciphertext, UInt64(ciphertext.count), &ad,
                    UInt64(ad.count), &nonce, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return status == 0 ? Int(outCount) : nil
    }

    private static func nonce(_ index: UInt64) -> [UInt8] {
        var n = [UInt8](repeating: 0, count: Int(crypto_aead_xchacha20poly1305_ietf_npubbytes()))
        for i in 0..<8 { n[i] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(i))) }
        return n
    }

    private static func associated(_ index: UInt64) -> [UInt8] {
        Array("tipline-spool-v1".utf8) + (0..<8).map { UInt8(truncatingIfNeeded: index >> (8 * UInt64($0))) }
    }
}
