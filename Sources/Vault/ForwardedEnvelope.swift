import Foundation
import TiplineCrypto

/// A tip re-sealed for another agency (`tipvault forward`), as one self-contained file they
/// open with `tipvault open-envelope`. Everything is encrypted afresh under a new file key
/// sealed to their public key only: the document without the tipster's reply public key (with
/// it they could reply, or recognise the tipster's receipt-derived key elsewhere), and each
/// attachment decrypted and re-encrypted chunk by chunk. Layout, big-endian:
///
///     "TLFWD" | version u8 = 1 | header length u32 | header
///     part count u32 | per part: kind u8 (0 document, 1 attachment) | index u32 | length u64 | ciphertext
///
/// The document part comes first. Triage events, notes and replies are never included.
public enum ForwardedEnvelope {
    static let magic = Array("TLFWD".utf8)
    static let version: UInt8 = 1

    /// Writes `tip`'s own envelope re-encrypted for `recipient` into a new file (never overwrites).
    public static func write(_ tip: TipID, from investigation: Investigation, to recipient: AgencyPublicKey, file: URL) throws(VaultError) {
        let vault = investigation.vault
        let envelope = try vault.envelopes(of: tip)[0]
        let reader = try investigation.reader(header: envelope.header, tip: tip)
        var document = try investigation.mainDocument(tip)
        document.replyPublicKey = nil
        let writer: EnvelopeWriter
        do { writer = try EnvelopeWriter(recipients: [recipient]) } catch {
            throw .crypto(operation: "re-sealing the tip for the other agency", reason: error.description)
        }
        guard let json = try? JSONEncoder().encode(document) else {
            throw .documentMalformed(tip: tip.text, reason: "cannot encode the document for forwarding")
        }
        let documentEncryptor = writer.encryptor(for: .document)
        let documentCiphertext = documentEncryptor.push(Array(json)) + documentEncryptor.finish()
        let attachments = document.attachments.sorted { $0.index < $1.index }
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw .fileIO(path: file.path, reason: "cannot create the file")
        }
        guard let handle = try? FileHandle(forWritingTo: file) else { throw .fileIO(path: file.path, reason: "cannot open the file") }
        var finished = false
        defer {
            try? handle.close()
            if !finished { try? FileManager.default.removeItem(at: file) }
        }
        func put(_ bytes: [UInt8]) throws(VaultError) {
            do { try handle.write(contentsOf: bytes) } catch { throw .fileIO(path: file.path, reason: "write failed (disk full?)") }
        }
        try put(magic + [version] + be(UInt32(writer.header.count)) + writer.header + be(UInt32(1 + attachments.count)))
        try put([0] + be(UInt32(0)) + be(UInt64(documentCiphertext.count)) + documentCiphertext)
        for entry in attachments {
            let part = EnvelopePart.attachment(entry.index)
            let lengthOffset: UInt64
            do { lengthOffset = try handle.offset() + 5 } catch { throw .fileIO(path: file.path, reason: "cannot seek") }
            try put([1] + be(entry.index) + be(UInt64(0)))
            let decryptor = reader.decryptor(for: part)
            let encryptor = writer.encryptor(for: part)
            var (plainBytes, cipherBytes) = (0, 0)
            func emit(_ bytes: [UInt8]) throws(VaultError) {
                cipherBytes += bytes.count
                if !bytes.isEmpty { try put(bytes) }
            }
            try vault.forEachChunk(envelope: envelope.id, part: TipWriter.partNumber(part)) { (chunk) throws(VaultError) in
                var plain: [UInt8]
                do throws(CryptoError) { plain = try decryptor.push(chunk) } catch {
                    throw .partCorrupted(tip: tip.text, part: Investigation.name(part), reason: error.description)
                }
                plainBytes += plain.count
                try emit(encryptor.push(plain))
                plain.withUnsafeMutableBytes { for i in $0.indices { $0[i] = 0 } }
            }
            do { try decryptor.finish() } catch {
                throw .partCorrupted(tip: tip.text, part: Investigation.name(part), reason: error.description)
            }
            try emit(encryptor.finish())
            guard plainBytes == entry.bytes else {
                throw .partCorrupted(tip: tip.text, part: Investigation.name(part), reason: "its size differs from the document's")
            }
            do {
                try handle.seek(toOffset: lengthOffset)
                try handle.write(contentsOf: be(UInt64(cipherBytes)))
                try handle.seekToEnd()
            } catch {
                throw .fileIO(path: file.path, reason: "cannot write a part length")
            }
        }
        finished = true
    }

    /// Opens a forwarded file with the keys of the receiving agency: returns its document and,
    /// when `exportTo` is given, decrypts the attachments there (streamed, neutral names).
    public static func open(file: URL, keys: [AgencySecretKey], exportTo: URL?) throws(VaultError) -> (TipDocument, [ExportedFile]) {
        guard let handle = try? FileHandle(forReadingFrom: file) else { throw .fileIO(path: file.path, reason: "cannot open the file") }
        defer { try? handle.close() }
        let input = Input(handle: handle, path: file.path)
        guard try input.read(magic.count) == magic, try input.read(1) == [version] else {
            throw .envelopeFileMalformed(path: file.path, reason: "it does not start with TLFWD version 1")
        }
        let header = try input.read(Int(try input.u32()))
        let label = TipID(unchecked: "forwarded")
        let reader: EnvelopeReader
        do {
            reader = try Investigation.reader(header: header, tip: label, keys: keys)
        } catch .noKeyOpensTip {
            throw .envelopeNotForYou(path: file.lastPathComponent)
        }
        let count = try input.u32()
        var document: TipDocument?
        var files: [ExportedFile] = []
        for _ in 0..<count {
            let kind = try input.read(1)[0]
            let index = try input.u32()
            let length = try input.u64()
            guard length <= 1 << 40 else { throw .envelopeFileMalformed(path: file.path, reason: "a part length is implausible") }
            if kind == 0 {
                guard length <= 64 << 20 else { throw .envelopeFileMalformed(path: file.path, reason: "the document is implausibly large") }
                document = try Investigation.document(try input.read(Int(length)), reader: reader, tip: label)
                if let exportTo, let document {
                    try PlainFileSink.prepare(
                        exportTo,
                        names: document.attachments.map {
                            PlainFileSink.neutralName(followUp: 0, index: $0.index, format: $0.format)
                        })
                }
                continue
            }
            guard kind == 1, let document, let entry = document.attachments.first(where: { $0.index == index }) else {
                throw .envelopeFileMalformed(path: file.path, reason: "a part is not described by the document")
            }
            guard let exportTo else { try input.skip(length); continue }
            let name = PlainFileSink.neutralName(followUp: 0, index: index, format: entry.format)
            let part = EnvelopePart.attachment(index)
            let bytes = try PlainFileSink.decrypt(
                reader.decryptor(for: part), to: exportTo.appendingPathComponent(name), tip: "forwarded", part: Investigation.name(part)
            ) { (sink) throws(VaultError) in
                var left = length
                while left > 0 {
                    let piece = try input.read(Int(min(left, 256 * 1024)))
                    left -= UInt64(piece.count)
                    try sink(piece)
                }
            }
            files.append(ExportedFile(name: name, bytes: bytes, format: entry.format))
        }
        guard let document else { throw .envelopeFileMalformed(path: file.path, reason: "it holds no document") }
        guard try input.read(1, allowShort: true).isEmpty else { throw .envelopeFileMalformed(path: file.path, reason: "bytes after the last part") }
        return (document, files)
    }

    static func be<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// Exact reads from a file, with typed errors for short files.
    final class Input {
        let handle: FileHandle
        let path: String
        init(handle: FileHandle, path: String) { self.handle = handle; self.path = path }

        func read(_ count: Int, allowShort: Bool = false) throws(VaultError) -> [UInt8] {
            guard count > 0 else { return [] }
            let data: Data?
            do { data = try handle.read(upToCount: count) } catch { throw .fileIO(path: path, reason: "read failed") }
            let bytes = [UInt8](data ?? Data())
            guard allowShort || bytes.count == count else { throw .envelopeFileMalformed(path: path, reason: "the file ends early") }
            return bytes
        }
        func u32() throws(VaultError) -> UInt32 { try read(4).reduce(0) { $0 << 8 | UInt32($1) } }
        func u64() throws(VaultError) -> UInt64 { try read(8).reduce(0) { $0 << 8 | UInt64($1) } }
        func skip(_ count: UInt64) throws(VaultError) {
            var left = count
            while left > 0 { left -= UInt64(try read(Int(min(left, 1 << 20))).count) }
        }
    }
}
