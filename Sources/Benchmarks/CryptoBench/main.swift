// CryptoBench: TiplineCrypto's streaming layer against the same libsodium loop driven directly.
// Run with `make bench` (release). Prints MB/s and ratios; best of three runs per figure.
import CSodium
import Foundation
import TiplineCrypto

let mebibyte = 1 << 20
let totalBytes = 256 * mebibyte
let pieceSize = mebibyte
let chunk = StreamEncryptor.plaintextChunkSize
let rounds = 5

/// CPU time of this thread (user + system), not wall time: the bench machine is shared, and
/// time spent descheduled would otherwise land on whichever variant was unlucky.
func seconds(_ body: () -> Void) -> Double {
    func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
    let start = now()
    body()
    return now() - start
}

func best(_ body: () -> Void) -> Double { (0..<rounds).map { _ in seconds(body) }.min()! }

func rate(_ bytes: Int, _ time: Double) -> Double { Double(bytes) / 1e6 / time }

_ = sodium_init()
var plaintext = [UInt8](repeating: 0, count: totalBytes)
randombytes_buf(&plaintext, totalBytes)
var sink = 0

// 1. StreamEncryptor, fed 1 MiB pieces.
let swiftEncryptBody = {
    let (encryptor, _) = StreamEncryptor.withRandomKey()
    plaintext.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            sink &+= encryptor.push(UnsafeRawBufferPointer(rebasing: all[offset..<offset + pieceSize])).count
            offset += pieceSize
        }
    }
    sink &+= encryptor.finish().count
}

// 1b. StreamEncryptor.push(_:into:), one reused output buffer (no allocation per piece).
let swiftEncryptIntoBody = {
    let (encryptor, _) = StreamEncryptor.withRandomKey()
    var out = [UInt8](repeating: 0, count: pieceSize + 64 * 1024)
    plaintext.withUnsafeBytes { all in
        out.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < all.count {
                sink &+= encryptor.push(UnsafeRawBufferPointer(rebasing: all[offset..<offset + pieceSize]), into: buffer)
                offset += pieceSize
            }
        }
    }
    sink &+= encryptor.finish().count
}

// 2. The raw loop: crypto_secretstream_xchacha20poly1305_push over the same 64 KiB chunks into a
//    reused buffer (no padding, no allocation): the ceiling the Swift layer is measured against.
let rawEncryptBody = {
    var state = crypto_secretstream_xchacha20poly1305_state()
    var key = [UInt8](repeating: 0, count: 32)
    var header = [UInt8](repeating: 0, count: 24)
    randombytes_buf(&key, 32)
    crypto_secretstream_xchacha20poly1305_init_push(&state, &header, key)
    // Same output footprint as the Swift layer's pieces: one 1 MiB piece of chunks at a time.
    var out = [UInt8](repeating: 0, count: (pieceSize / chunk) * (chunk + 17))
    plaintext.withUnsafeBytes { all in
        out.withUnsafeMutableBytes { buffer in
            let base = all.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let target = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var offset = 0
            while offset < all.count {
                let last = offset + chunk >= all.count
                let tag = last ? crypto_secretstream_xchacha20poly1305_tag_final() : 0
                let slot = (offset % pieceSize) / chunk * (chunk + 17)
                crypto_secretstream_xchacha20poly1305_push(
                    &state, target + slot, nil, base + offset, UInt64(chunk), nil, 0, tag)
                offset += chunk
            }
        }
    }
    sink &+= Int(out[0])
}

// Interleaved rounds, so load from other processes hits all three alike.
var swiftEncrypt = Double.infinity, swiftEncryptInto = Double.infinity, rawEncrypt = Double.infinity
for _ in 0..<rounds {
    rawEncrypt = min(rawEncrypt, seconds(rawEncryptBody))
    swiftEncrypt = min(swiftEncrypt, seconds(swiftEncryptBody))
    swiftEncryptInto = min(swiftEncryptInto, seconds(swiftEncryptIntoBody))
}

// 3. StreamDecryptor over a 64 MiB part, fed 1 MiB pieces.
let decryptBytes = 64 * mebibyte
let (encryptor, key) = StreamEncryptor.withRandomKey()
var ciphertext = encryptor.push(Array(plaintext[0..<decryptBytes]))
ciphertext += encryptor.finish()
let swiftDecryptBody = {
    let decryptor = StreamDecryptor(key: key)
    ciphertext.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            let end = min(offset + pieceSize, all.count)
            sink &+= (try! decryptor.push(UnsafeRawBufferPointer(rebasing: all[offset..<end]))).count
            offset = end
        }
    }
    try! decryptor.finish()
}

// 3b. The raw pull loop over the same ciphertext, chunk by chunk into one reused buffer.
let rawKey = [UInt8](repeating: 1, count: 32)
var rawHeader = [UInt8](repeating: 0, count: 24)
var pushState = crypto_secretstream_xchacha20poly1305_state()
crypto_secretstream_xchacha20poly1305_init_push(&pushState, &rawHeader, rawKey)
var rawCiphertext = [UInt8](repeating: 0, count: (decryptBytes / chunk) * (chunk + 17))
plaintext.withUnsafeBytes { all in
    rawCiphertext.withUnsafeMutableBytes { out in
        for index in 0..<(decryptBytes / chunk) {
            let tag = index == decryptBytes / chunk - 1 ? crypto_secretstream_xchacha20poly1305_tag_final() : 0
            crypto_secretstream_xchacha20poly1305_push(
                &pushState, out.baseAddress!.assumingMemoryBound(to: UInt8.self) + index * (chunk + 17), nil,
                all.baseAddress!.assumingMemoryBound(to: UInt8.self) + index * chunk, UInt64(chunk), nil, 0, tag)
        }
    }
}
let rawDecryptBody = {
    var state = crypto_secretstream_xchacha20poly1305_state()
    crypto_secretstream_xchacha20poly1305_init_pull(&state, rawHeader, rawKey)
    var out = [UInt8](repeating: 0, count: pieceSize)
    var tag: UInt8 = 0
    rawCiphertext.withUnsafeBytes { all in
        out.withUnsafeMutableBytes { buffer in
            let target = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var offset = 0
            var slot = 0
            while offset < all.count {
                let status = crypto_secretstream_xchacha20poly1305_pull(
                    &state, target + slot * chunk, nil, &tag,
                    all.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, UInt64(chunk + 17), nil, 0)
                precondition(status == 0)
                offset += chunk + 17
                slot = (slot + 1) % (pieceSize / chunk)
            }
        }
    }
    sink &+= Int(tag)
}
var swiftDecrypt = Double.infinity, rawDecrypt = Double.infinity
for _ in 0..<rounds {
    rawDecrypt = min(rawDecrypt, seconds(rawDecryptBody))
    swiftDecrypt = min(swiftDecrypt, seconds(swiftDecryptBody))
}

// 4. Sealed-box opens (a 32-byte file key, as in every envelope header).
let agency = AgencySecretKey.generate()
let boxes = (0..<2000).map { _ in SealedBox.seal([UInt8](repeating: 7, count: 32), to: agency.publicKey) }
let openTime = best { for box in boxes { sink &+= (try! SealedBox.open(box, with: agency)).count } }

let encryptRate = rate(totalBytes, swiftEncrypt), rawRate = rate(totalBytes, rawEncrypt)
print("CryptoBench (release; thread CPU time, best of \(rounds); 64 KiB chunks, 1 MiB pieces)")
print(String(format: "  encrypt 256 MiB  StreamEncryptor   %8.1f MB/s", encryptRate))
print(String(format: "  encrypt 256 MiB  push(_:into:)     %8.1f MB/s", rate(totalBytes, swiftEncryptInto)))
print(String(format: "  encrypt 256 MiB  raw secretstream  %8.1f MB/s", rawRate))
print(String(format: "  ratio push -> [UInt8] / raw        %8.1f %%  (target >= 90 %%)", 100 * encryptRate / rawRate))
print(String(format: "  ratio push(_:into:) / raw          %8.1f %%", 100 * rate(totalBytes, swiftEncryptInto) / rawRate))
print(String(format: "  decrypt  64 MiB  StreamDecryptor   %8.1f MB/s", rate(decryptBytes, swiftDecrypt)))
print(String(format: "  decrypt  64 MiB  raw secretstream  %8.1f MB/s", rate(decryptBytes, rawDecrypt)))
print(String(format: "  ratio decrypt Swift / raw          %8.1f %%", 100 * rawDecrypt / swiftDecrypt))
print(String(format: "  sealed-box open (32-byte key)      %8.0f ops/s", Double(boxes.count) / openTime))
if sink == 42 { print("") }  // keeps the work observable to the optimiser
