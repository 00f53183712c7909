/// The tipster's receipt: 120 random bits shown as 24 Crockford base32 characters plus one
/// check character, in five groups of five (`7D2KQ-...`). It is the tipster's only credential,
/// so it lives in SecureBytes and is never logged. Text form: FORMAT.md §4.
public struct Receipt: Sendable {
    /// FORMAT.md §4: 15 bytes = 120 bits of entropy (the design floor is 100).
    static let entropyBytes = 15
    /// FORMAT.md §4: 24 data characters of 5 bits each, then one check character.
    static let dataCharacters = 24
    static let totalCharacters = dataCharacters + 1
    /// FORMAT.md §4: display groups of five, joined by hyphens.
    static let groupSize = 5
    /// FORMAT.md §4: Crockford's base32 alphabet (no I, L, O, U).
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    let entropy: SecureBytes

    init(entropy: SecureBytes) {
        precondition(entropy.count == Self.entropyBytes, "receipt entropy must be 15 bytes")
        self.entropy = entropy
    }

    /// 120 fresh bits from the system CSPRNG.
    public static func generate() -> Receipt {
        Receipt(entropy: SecureBytes.random(count: entropyBytes))
    }

    /// Accepts what a person is likely to type: any case, spaces or hyphens anywhere (or none),
    /// and Crockford's look-alikes O→0, I/L→1. U never occurs and is reported as such; a wrong
    /// check character means a mistyped receipt.
    public init(parsing text: String) throws(CryptoError) {
        let values = SecureBytes(count: Self.totalCharacters)
        var count = 0
        try values.withUnsafeMutableBytes { (values: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            for scalar in text.unicodeScalars {
                if scalar == "-" || scalar.properties.isWhitespace { continue }
                guard let value = Self.value(of: scalar) else {
                    if scalar == "U" || scalar == "u" {
                        throw .receiptMalformed(reason: "it contains the letter U, which receipts never use")
                    }
                    throw .receiptMalformed(reason: "it contains a character receipts never use")
                }
                guard count < Self.totalCharacters else {
                    throw .receiptMalformed(reason: "it is longer than \(Self.totalCharacters) characters")
                }
                values[count] = value
                count += 1
            }
            guard count == Self.totalCharacters else {
                throw .receiptMalformed(
                    reason: "it has \(count) characters where a receipt has \(Self.totalCharacters)")
            }
            let data = UnsafeRawBufferPointer(rebasing: values[0..<Self.dataCharacters])
            guard ReceiptCheck.checkValue(data) == values[Self.dataCharacters] else {
                throw .receiptCheckMismatch
            }
        }
        let entropy = SecureBytes(count: Self.entropyBytes)
        values.withUnsafeBytes { values in
            entropy.withUnsafeMutableBytes { out in
                Self.unpack(UnsafeRawBufferPointer(rebasing: values[0..<Self.dataCharacters]), into: out)
            }
        }
        self.entropy = entropy
    }

    /// e.g. `7D2KQ-9XW0M-...-...C`: 25 characters in groups of five.
    public var displayText: String {
        var values = [UInt8](repeating: 0, count: Self.totalCharacters)
        entropy.withUnsafeBytes { bytes in
            for index in 0..<Self.dataCharacters {
                var value: UInt8 = 0
                for bit in 0..<5 {
                    let position = index * 5 + bit
                    let set = (bytes[position / 8] >> (7 - UInt8(position % 8))) & 1
                    value = value << 1 | set
                }
                values[index] = value
            }
        }
        values[Self.dataCharacters] = values.withUnsafeBytes {
            ReceiptCheck.checkValue(UnsafeRawBufferPointer(rebasing: $0[0..<Self.dataCharacters]))
        }
        var text = [UInt8]()
        text.reserveCapacity(Self.totalCharacters + Self.totalCharacters / Self.groupSize)
        for (index, value) in values.enumerated() {
            if index > 0 && index % Self.groupSize == 0 { text.append(UInt8(ascii: "-")) }
            text.append(Self.alphabet[Int(value)])
        }
        for index in values.indices { values[index] = 0 }
        return String(decoding: text, as: UTF8.self)
    }

    /// Crockford decoding, case-insensitive, with O→0 and I/L→1; nil for anything else (incl. U).
    static func value(of scalar: Unicode.Scalar) -> UInt8? {
        guard scalar.isASCII else { return nil }
        var ascii = UInt8(scalar.value)
        if ascii >= UInt8(ascii: "a") && ascii <= UInt8(ascii: "z") { ascii -= 32 }
        switch ascii {
        case UInt8(ascii: "O"): return 0
        case UInt8(ascii: "I"), UInt8(ascii: "L"): return 1
        default: return alphabet.firstIndex(of: ascii).map { UInt8($0) }
        }
    }

    /// 24 five-bit values, most significant bit first → 15 bytes.
    static func unpack(_ values: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        for index in 0..<out.count { out[index] = 0 }
        for (index, value) in values.enumerated() {
            for bit in 0..<5 where (value >> (4 - UInt8(bit))) & 1 == 1 {
                let position = index * 5 + bit
                out[position / 8] |= 1 << (7 - UInt8(position % 8))
            }
        }
    }
}

/// The receipt check character (FORMAT.md §4.2): a weighted sum over GF(2⁵). Unlike a plain
/// sum it catches every single-character substitution and every swap of two neighbours.
enum ReceiptCheck {
    /// FORMAT.md §4.2: GF(32) is built on the primitive polynomial x⁵ + x² + 1.
    static let reductionPolynomial: UInt8 = 0b10_0101

    /// check = Σ αⁱ⁺¹ · vᵢ over GF(32), α = x, for data characters i = 0 … 23.
    static func checkValue(_ values: UnsafeRawBufferPointer) -> UInt8 {
        var check: UInt8 = 0
        var weight: UInt8 = 2
        for value in values {
            check ^= multiply(weight, value)
            weight = multiply(weight, 2)
        }
        return check
    }

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a, b = b, product: UInt8 = 0
        while b != 0 {
            if b & 1 == 1 { product ^= a }
            b >>= 1
            a <<= 1
            if a & 0b10_0000 != 0 { a ^= reductionPolynomial }
        }
        return product
    }
}
