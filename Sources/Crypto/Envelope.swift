/// Which stream of a tip an encryptor/decryptor is for. Each part gets its own key, derived
/// from the tip's file key with subkey id 0 (document) or i + 1 (attachment i), FORMAT.md §6.2.
public enum EnvelopePart: Sendable, Hashable {
    case document
    case attachment(UInt32)

    var subkeyID: UInt64 {
        switch self {
        case .document: return 0
        case .attachment(let index): return UInt64(index) + 1
        }
    }
}

/// Byte layout of the envelope v1 header (FORMAT.md §6.1).
enum EnvelopeFormat {
    /// FORMAT.md §6.1: the header starts with ASCII "TLENV".
    static let magic: [UInt8] = Array("TLENV".utf8)
    /// FORMAT.md §6.1: the only version this build reads and writes.
    static let version: UInt8 = 1
    /// magic + version byte + recipient count byte.
    static let fixedBytes = magic.count + 2
    /// FORMAT.md §6.1: the random per-tip file key, also the `crypto_kdf` master key.
    static var fileKeyBytes: Int { KeyDerivation.masterKeyBytes }
    static var sealedFileKeyBytes: Int { fileKeyBytes + Box.sealBytes }
    static var entryBytes: Int { AgencyPublicKey.keyIDHintLength + sealedFileKeyBytes }
    static let maxRecipients = 255

    static func header(fileKey: SecureBytes, recipients: [AgencyPublicKey]) throws(CryptoError) -> [UInt8] {
        var unique = [AgencyPublicKey]()
        for recipient in recipients where !unique.contains(recipient) { unique.append(recipient) }
        guard !unique.isEmpty else { throw .malformedEnvelope(reason: "no recipients were given") }
        guard unique.count <= maxRecipients else {
            throw .malformedEnvelope(reason: "\(unique.count) recipients; at most \(maxRecipients) fit")
        }
        var header = magic + [version, UInt8(unique.count)]
        header.reserveCapacity(fixedBytes + unique.count * entryBytes)
        let sealed = fileKey.withUnsafeBytes { key in unique.map { SealedBox.seal(key, to: $0) } }
        for (recipient, sealedKey) in zip(unique, sealed) {
            header += recipient.keyIDHint
            header += sealedKey
        }
        return header
    }

    static func partKey(fileKey: SecureBytes, part: EnvelopePart) -> SecureBytes {
        KeyDerivation.derive(
            length: Secretstream.keyBytes, subkeyID: part.subkeyID,
            context: KeyDerivation.partContext, from: fileKey)
    }
}

/// Server side: makes a tip's file key, seals it to every recipient, hands out one encryptor
/// per part. Holds public keys only.
public final class EnvelopeWriter {
    private let fileKey: SecureBytes
    /// Store this before the parts; it is all a recipient needs besides their secret key.
    public let header: [UInt8]

    public convenience init(recipients: [AgencyPublicKey]) throws(CryptoError) {
        try self.init(recipients: recipients, fileKey: SecureBytes.random(count: EnvelopeFormat.fileKeyBytes))
    }

    /// Also reached by the test-only hook with a fixed file key (TestOnlyDeterminism.swift).
    init(recipients: [AgencyPublicKey], fileKey: SecureBytes) throws(CryptoError) {
        precondition(fileKey.count == EnvelopeFormat.fileKeyBytes, "file key must be 32 bytes")
        self.fileKey = fileKey
        self.header = try EnvelopeFormat.header(fileKey: fileKey, recipients: recipients)
    }

    /// Call once per part: a second encryptor for the same part would reuse its key with a new
    /// header, which is safe for secretstream but makes two valid ciphertexts for one part.
    public func encryptor(for part: EnvelopePart) -> StreamEncryptor {
        StreamEncryptor(key: EnvelopeFormat.partKey(fileKey: fileKey, part: part))
    }

    func encryptor(for part: EnvelopePart, testOnlyFixedHeader header: [UInt8]) -> StreamEncryptor {
        StreamEncryptor(key: EnvelopeFormat.partKey(fileKey: fileKey, part: part), testOnlyFixedHeader: header)
    }
}
