import CSodium

/// One `crypto_secretstream_xchacha20poly1305` state plus the constants of FORMAT.md §7.
/// Kept as a value so the decryptor can try a chunk on a copy without disturbing the original.
struct Secretstream {
    static let headerBytes = crypto_secretstream_xchacha20poly1305_headerbytes()  // 24
    static let chunkOverhead = crypto_secretstream_xchacha20poly1305_abytes()  // 17
    static let keyBytes = crypto_secretstream_xchacha20poly1305_keybytes()  // 32
    static let tagMessage = crypto_secretstream_xchacha20poly1305_tag_message()  // 0
    static let tagPush = crypto_secretstream_xchacha20poly1305_tag_push()  // 1
    static let tagFinal = crypto_secretstream_xchacha20poly1305_tag_final()  // 3

    private var state = crypto_secretstream_xchacha20poly1305_state()

    /// Starts an encrypting stream with a random header (written to `header`).
    mutating func initPush(key: SecureBytes, header: UnsafeMutableRawPointer) {
        _ = SodiumRuntime.ready
        let status = crypto_secretstream_xchacha20poly1305_init_push(
            &state, header.assumingMemoryBound(to: UInt8.self), key.baseAddress)
        precondition(status == 0, "crypto_secretstream_xchacha20poly1305_init_push failed")
    }

    /// Sets up the state a given header implies. Used to decrypt, and by the test-only hook to
    /// encrypt under a fixed header: the push and pull states for one header are identical.
    mutating func initPull(key: SecureBytes, header: UnsafeRawPointer) {
        _ = SodiumRuntime.ready
        let status = crypto_secretstream_xchacha20poly1305_init_pull(
            &state, header.assumingMemoryBound(to: UInt8.self), key.baseAddress)
        precondition(status == 0, "crypto_secretstream_xchacha20poly1305_init_pull failed")
    }

    /// Encrypts `count` bytes at `plaintext` into `count + 17` bytes at `ciphertext`.
    @inline(__always)
    mutating func push(
        _ plaintext: UnsafeRawPointer, count: Int, tag: UInt8, into ciphertext: UnsafeMutableRawPointer
    ) {
        let status = crypto_secretstream_xchacha20poly1305_push(
            &state, ciphertext.assumingMemoryBound(to: UInt8.self), nil,
            plaintext.assumingMemoryBound(to: UInt8.self), UInt64(count), nil, 0, tag)
        precondition(status == 0, "crypto_secretstream_xchacha20poly1305_push failed")
    }

    /// Decrypts one chunk; returns its tag, or nil (state unchanged) if it does not authenticate.
    @inline(__always)
    mutating func pull(_ ciphertext: UnsafeRawPointer, count: Int, into plaintext: UnsafeMutableRawPointer)
        -> UInt8?
    {
        guard count >= Self.chunkOverhead else { return nil }
        var tag: UInt8 = 0
        let status = crypto_secretstream_xchacha20poly1305_pull(
            &state, plaintext.assumingMemoryBound(to: UInt8.self), nil, &tag,
            ciphertext.assumingMemoryBound(to: UInt8.self), UInt64(count), nil, 0)
        return status == 0 ? tag : nil
    }

    mutating func wipe() {
        withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress, $0.count) }
    }

    /// True if every byte is zero (`sodium_is_zero`, constant time).
    static func isAllZero(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        count == 0 || sodium_is_zero(bytes.assumingMemoryBound(to: UInt8.self), count) == 1
    }

    static func wipe(_ bytes: UnsafeMutableRawPointer, count: Int) { sodium_memzero(bytes, count) }
}
