import TiplineVault

/// Reads the investigator service's `TLENV` v1 stream (FORMAT.md §15): header, then every
/// part's ciphertext. Refuses another magic or version, short data and trailing bytes.
enum EnvelopeStream {
    static func parse(_ bytes: [UInt8]) throws(VaultError) -> (header: [UInt8], parts: [(part: Int64, ciphertext: [UInt8])]) {
        var offset = 0
        func take(_ count: Int) throws(VaultError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else { throw .serviceAnswerMalformed(reason: "an envelope stream was cut short") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func number(_ count: Int) throws(VaultError) -> Int {
            let value = try take(count).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard value <= UInt64(Int32.max) * 1024 else { throw .serviceAnswerMalformed(reason: "an envelope length is out of range") }
            return Int(value)
        }
        guard Array(try take(6)) == Array("TLENV".utf8) + [1] else {
            throw .serviceAnswerMalformed(reason: "an envelope stream is not TLENV version 1")
        }
        let header = Array(try take(try number(4)))
        let count = try number(4)
        var parts: [(part: Int64, ciphertext: [UInt8])] = []
        for _ in 0..<count {
            let part = Int64(try number(4))
            parts.append((part, Array(try take(try number(8)))))
        }
        guard offset == bytes.count else { throw .serviceAnswerMalformed(reason: "an envelope stream has trailing bytes") }
        return (header, parts)
    }
}
