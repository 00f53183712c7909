import CSodium

@testable import TiplineCrypto

/// An independent, test-side writer/reader of raw secretstream chunks, straight on libsodium.
/// Tests use it to craft streams the library never writes (bad padding, odd tags) and to check
/// the library's framing against FORMAT.md §7 without going through StreamDecryptor.
struct RawSecretstream {
    static let tagMessage: UInt8 = 0, tagPush: UInt8 = 1, tagRekey: UInt8 = 2, tagFinal: UInt8 = 3
    var state = crypto_secretstream_xchacha20poly1305_state()

    /// A pushing state for a fixed header (init_pull yields the same state init_push would).
    init(key: [UInt8], header: [UInt8]) {
        _ = sodium_init()
        precondition(crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key) == 0)
    }

    mutating func push(_ plaintext: [UInt8], tag: UInt8) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + 17)
        precondition(
            crypto_secretstream_xchacha20poly1305_push(
                &state, &out, nil, plaintext, UInt64(plaintext.count), nil, 0, tag) == 0)
        return out
    }

    /// Decrypts one chunk; nil if it fails to authenticate.
    mutating func pull(_ ciphertext: ArraySlice<UInt8>) -> (plaintext: [UInt8], tag: UInt8)? {
        var out = [UInt8](repeating: 0, count: max(ciphertext.count - 17, 0))
        var tag: UInt8 = 0
        let chunk = Array(ciphertext)
        let status = crypto_secretstream_xchacha20poly1305_pull(
            &state, &out, nil, &tag, chunk, UInt64(chunk.count), nil, 0)
        return status == 0 ? (out, tag) : nil
    }

    /// Builds a whole stream: header, then each (plaintext, tag) chunk.
    static func stream(key: [UInt8], header: [UInt8], chunks: [([UInt8], UInt8)]) -> [UInt8] {
        var writer = RawSecretstream(key: key, header: header)
        var out = header
        for (plaintext, tag) in chunks { out += writer.push(plaintext, tag: tag) }
        return out
    }

    /// A deterministic sealed box: crypto_box_seal's construction with a seeded ephemeral key
    /// (epk ‖ crypto_box_easy(m, nonce = BLAKE2b-192(epk ‖ pk), pk, esk)), so vectors are stable.
    static func seal(_ message: [UInt8], to publicKey: [UInt8], ephemeralSeed: [UInt8]) -> [UInt8] {
        _ = sodium_init()
        var epk = [UInt8](repeating: 0, count: 32), esk = [UInt8](repeating: 0, count: 32)
        precondition(crypto_box_seed_keypair(&epk, &esk, ephemeralSeed) == 0)
        var nonce = [UInt8](repeating: 0, count: 24)
        let input = epk + publicKey
        precondition(crypto_generichash(&nonce, 24, input, UInt64(input.count), nil, 0) == 0)
        var boxed = [UInt8](repeating: 0, count: message.count + 16)
        precondition(crypto_box_easy(&boxed, message, UInt64(message.count), nonce, publicKey, esk) == 0)
        return epk + boxed
    }
}
