import Foundation
import TiplineCrypto

/// One decrypted file written by `export` or `open-envelope --to`.
public struct ExportedFile: Codable, Sendable, Equatable {
    public var name: String
    public var bytes: Int
    public var format: String
}

extension Investigation {
    /// Decrypts every attachment of the tip and its follow-ups into `directory`, streamed chunk
    /// by chunk, under neutral names. Refuses before writing anything if a name already exists.
    public func export(_ tip: TipID, to directory: URL) throws(VaultError) -> [ExportedFile] {
        let envelopes = try vault.envelopes(of: tip)
        var plan: [(envelope: Vault.EnvelopeRow, reader: EnvelopeReader, entry: AttachmentEntry, name: String)] = []
        for (number, envelope) in envelopes.enumerated() {
            let reader = try reader(header: envelope.header, tip: tip)
            var ciphertext: [UInt8] = []
            try vault.forEachChunk(envelope: envelope.id, part: 0) { ciphertext += $0 }
            for entry in try document(ciphertext, reader: reader, tip: tip, seq: envelope.seq).attachments {
                plan.append((envelope, reader, entry, PlainFileSink.neutralName(followUp: number, index: entry.index, format: entry.format)))
            }
        }
        try PlainFileSink.prepare(directory, names: plan.map(\.name))
        var files: [ExportedFile] = []
        for item in plan {
            let part = EnvelopePart.attachment(item.entry.index)
            let url = directory.appendingPathComponent(item.name)
            let bytes = try PlainFileSink.decrypt(item.reader.decryptor(for: part), to: url, tip: tip.text, part: Self.name(part)) {
                (sink) throws(VaultError) in
                try vault.forEachChunk(envelope: item.envelope.id, part: TipWriter.partNumber(part), sink)
            }
            guard bytes == item.entry.bytes else {
                try? FileManager.default.removeItem(at: url)
                throw .partCorrupted(tip: tip.text, part: Self.name(part), reason: "its size differs from the document's")
            }
            files.append(ExportedFile(name: item.name, bytes: bytes, format: item.entry.format))
        }
        return files
    }
}
