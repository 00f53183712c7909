/// Investigator side: opens the file key from a v1 header with the agency secret key and
/// hands out one decryptor per part. Rejects everything FORMAT.md §6.3 lists.
public final class EnvelopeReader: Sendable {
    private let fileKey: SecureBytes
    /// How many recipients the header names (a count, not who they are).
    public let recipientCount: Int

    public init(header: [UInt8], secretKey: AgencySecretKey) throws(CryptoError) {
        let entries = try Self.parse(header)
        recipientCount = entries.count
        let hint = secretKey.publicKey.keyIDHint
        var hintMatched = false
        var found: SecureBytes?
        for entry in entries where entry.hint == hint && found == nil {
            hintMatched = true
            if let opened = try? SealedBox.open(entry.sealedKey, with: secretKey),
                opened.count == EnvelopeFormat.fileKeyBytes
            {
                found = opened
            }
        }
        guard let found else { throw hintMatched ? .sealedBoxOpenFailed : .notARecipient }
        fileKey = found
    }

    public func decryptor(for part: EnvelopePart) -> StreamDecryptor {
        StreamDecryptor(key: EnvelopeFormat.partKey(fileKey: fileKey, part: part))
    }

    /// A new header with the same file key sealed to `recipients`, so existing part ciphertexts
    /// stay valid (`tipvault forward`). Only a current recipient can produce it.
    public func resealedHeader(to recipients: [AgencyPublicKey]) throws(CryptoError) -> [UInt8] {
        try EnvelopeFormat.header(fileKey: fileKey, recipients: recipients)
    }

    static func parse(_ header: [UInt8]) throws(CryptoError) -> [(hint: [UInt8], sealedKey: [UInt8])] {
        let magic = EnvelopeFormat.magic
        guard header.count >= EnvelopeFormat.fixedBytes else {
            throw .malformedEnvelope(
                reason: "header has \(header.count) bytes, fewer than the \(EnvelopeFormat.fixedBytes)-byte fixed part")
        }
        guard Array(header[0..<magic.count]) == magic else {
            throw .malformedEnvelope(reason: "it does not start with the Tipline envelope magic \"TLENV\"")
        }
        let version = header[magic.count]
        guard version == EnvelopeFormat.version else { throw .unsupportedEnvelopeVersion(version) }
        let count = Int(header[magic.count + 1])
        guard count > 0 else { throw .malformedEnvelope(reason: "it names no recipients") }
        let expected = EnvelopeFormat.fixedBytes + count * EnvelopeFormat.entryBytes
        guard header.count >= expected else {
            throw .malformedEnvelope(reason: "header is truncated: \(header.count) of \(expected) bytes")
        }
        guard header.count == expected else {
            throw .malformedEnvelope(reason: "\(header.count - expected) unexpected bytes after the last recipient")
        }
        let hintBytes = AgencyPublicKey.keyIDHintLength
        return (0..<count).map { index in
            let start = EnvelopeFormat.fixedBytes + index * EnvelopeFormat.entryBytes
            return (
                Array(header[start..<start + hintBytes]),
                Array(header[start + hintBytes..<start + EnvelopeFormat.entryBytes])
            )
        }
    }
}
