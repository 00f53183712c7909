import CSodium
import Foundation

/// The baseline the server is compared with: libsodium's secretstream push over the same bytes,
/// 64 KiB chunks (FORMAT.md's chunk size), no padding, no SQLite, no HTTP. Wall-clock seconds.
enum RawSecretstream {
    static func seconds(totalBytes: Int, source: [UInt8], chunk: Int = 64 * 1024) -> Double {
        precondition(sodium_init() >= 0, "libsodium failed to initialise")
        var key = [UInt8](repeating: 0, count: crypto_secretstream_xchacha20poly1305_keybytes())
        crypto_secretstream_xchacha20poly1305_keygen(&key)
        var header = [UInt8](repeating: 0, count: crypto_secretstream_xchacha20poly1305_headerbytes())
        var state = crypto_secretstream_xchacha20poly1305_state()
        var out = [UInt8](repeating: 0, count: chunk + crypto_secretstream_xchacha20poly1305_abytes())
        var sink: UInt8 = 0
        let start = DispatchTime.now().uptimeNanoseconds
        crypto_secretstream_xchacha20poly1305_init_push(&state, &header, key)
        var done = 0
        source.withUnsafeBufferPointer { src in
            while done < totalBytes {
                let offset = done % src.count
                let n = min(chunk, totalBytes - done, src.count - offset)
                let tag = done + n >= totalBytes ? crypto_secretstream_xchacha20poly1305_tag_final() : 0
                crypto_secretstream_xchacha20poly1305_push(&state, &out, nil, src.baseAddress! + offset, UInt64(n), nil, 0, tag)
                sink ^= out[0]
                done += n
            }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if sink == 0xFF && elapsed < 0 { print(sink) }  // keep the loop observable
        return elapsed
    }
}
