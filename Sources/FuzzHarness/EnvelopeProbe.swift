import TiplineCrypto

/// The investigator side reads envelope headers and part streams from a vault that may be
/// damaged or forged. Promises:
/// - a header that is not sealed to our key is refused, never opened;
/// - ciphertext no one made under our key never decrypts, however it is split into pieces;
/// - the input, used as a plaintext, round-trips through the stream cipher exactly, in any
///   piece sizes, and one flipped ciphertext byte is always refused.
enum EnvelopeProbe {
    static let agencyKey = AgencySecretKey.generate()
    static let streamKey = SecureBytes.random(count: 32)

    static func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        if (try? EnvelopeReader(header: [UInt8](input), secretKey: agencyKey)) != nil {
            throw FuzzViolation("envelope: a header no one sealed to this run's key opened")
        }
        if decrypt(input, key: streamKey, pieceSize: 1 + input.count % 251) != nil {
            throw FuzzViolation("envelope: forged ciphertext authenticated")
        }
        try roundTrip(input)
    }

    private static func roundTrip(_ plaintext: UnsafeRawBufferPointer) throws(FuzzViolation) {
        let (encryptor, key) = StreamEncryptor.withRandomKey()
        var ciphertext = encryptor.push(plaintext)
        ciphertext += encryptor.finish()
        let pieceSize = 1 + plaintext.count % 4099
        let opened = ciphertext.withUnsafeBytes { decrypt($0, key: key, pieceSize: pieceSize) }
        guard let opened, opened.elementsEqual(plaintext) else {
            throw FuzzViolation("envelope: \(plaintext.count) bytes did not round-trip in \(pieceSize)-byte pieces")
        }
        var damaged = ciphertext
        damaged[plaintext.count % damaged.count] ^= 0x01
        if damaged.withUnsafeBytes({ decrypt($0, key: key, pieceSize: pieceSize) }) != nil {
            throw FuzzViolation("envelope: a stream with one flipped byte decrypted")
        }
    }

    /// The plaintext, or nil if the stream was refused at any point.
    private static func decrypt(_ bytes: UnsafeRawBufferPointer, key: SecureBytes, pieceSize: Int) -> [UInt8]? {
        let decryptor = StreamDecryptor(key: key)
        var plaintext: [UInt8] = []
        do throws(CryptoError) {
            try Pieces.each(bytes, size: pieceSize) { (piece) throws(CryptoError) in plaintext += try decryptor.push(piece) }
            try decryptor.finish()
            return plaintext
        } catch {
            return nil
        }
    }
}
