import CSodium

/// Thin wrappers for the non-secret encodings and hashes TiplineCrypto uses (FORMAT.md §2).
enum Encoding {
    /// Unkeyed BLAKE2b (`crypto_generichash`) with `outputLength` bytes of output.
    static func blake2b(_ input: [UInt8], outputLength: Int) -> [UInt8] {
        _ = SodiumRuntime.ready
        var out = [UInt8](repeating: 0, count: outputLength)
        let status = crypto_generichash(&out, outputLength, input, UInt64(input.count), nil, 0)
        precondition(status == 0, "crypto_generichash rejected a fixed, valid output length")
        return out
    }

    /// Standard base64 with padding (`sodium_base64_VARIANT_ORIGINAL`).
    static func base64(_ bytes: [UInt8]) -> String {
        _ = SodiumRuntime.ready
        let variant = Int32(sodium_base64_VARIANT_ORIGINAL)
        let length = sodium_base64_encoded_len(bytes.count, variant)
        var out = [CChar](repeating: 0, count: length)
        _ = sodium_bin2base64(&out, length, bytes, bytes.count, variant)
        return String(decoding: out.prefix(length - 1).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Strict decoding: no whitespace, no missing padding, nothing after the last quantum.
    static func base64Decode(_ text: String, maxLength: Int) -> [UInt8]? {
        _ = SodiumRuntime.ready
        let input = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: maxLength)
        var written = 0
        var end: UnsafePointer<CChar>? = nil
        let status = input.withUnsafeBufferPointer { buffer -> Int32 in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                let status = sodium_base642bin(
                    &out, maxLength, chars.baseAddress, chars.count, nil, &written, &end,
                    Int32(sodium_base64_VARIANT_ORIGINAL))
                if status == 0, let end, end != chars.baseAddress! + chars.count { return -1 }
                return status
            }
        }
        guard status == 0 else { return nil }
        return Array(out.prefix(written))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
