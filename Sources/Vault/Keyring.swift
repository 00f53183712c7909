import Foundation
import TiplineCrypto

/// The investigator side's secret store: a directory with one file per investigator per agency
/// key generation, each holding that key wrapped under the investigator's passphrase
/// (`PassphraseWrap`: Argon2id + secretbox). It never goes near the server. File format in
/// docs/KEYRING.md:
///
///     tipline-keyring-v1
///     investigator: alice
///     generation: 2
///     public-key: tipline-agency-pk-v1:...
///     wrapped: <base64 of the PassphraseWrap blob>
public struct Keyring: Sendable {
    public static let fileExtension = "tlkey"
    static let magic = "tipline-keyring-v1"

    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// One wrapped key as stored.
    public struct Entry: Sendable {
        public let investigator: String
        public let generation: Int
        public let publicKey: AgencyPublicKey
        let wrapped: [UInt8]
        let file: String
    }

    /// Every entry, sorted by investigator then newest generation first.
    public func entries() throws(VaultError) -> [Entry] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .keyringMissing(path: directory.path)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var entries: [Entry] = []
        for name in names.sorted() where name.hasSuffix("." + Self.fileExtension) {
            entries.append(try Self.parse(file: directory.appendingPathComponent(name)))
        }
        return entries.sorted { ($0.investigator, -$0.generation) < ($1.investigator, -$1.generation) }
    }

    public func investigators() throws(VaultError) -> [String] {
        Array(Set(try entries().map(\.investigator))).sorted()
    }

    /// The named investigator, or the only one when no name is given.
    public func resolveInvestigator(_ name: String?) throws(VaultError) -> String {
        let known = try investigators()
        guard !known.isEmpty else { throw .keyringEmpty(path: directory.path) }
        if let name {
            guard known.contains(name) else { throw .investigatorUnknown(name: name, known: known) }
            return name
        }
        guard known.count == 1 else { throw .investigatorAmbiguous(known: known) }
        return known[0]
    }

    /// Unwraps every agency key the investigator holds, newest generation first. Checks that
    /// each unwrapped key matches the public key its file names.
    public func unlock(investigator: String, passphrase: SecureBytes) throws(VaultError) -> [AgencySecretKey] {
        let mine = try entries().filter { $0.investigator == investigator }
        guard !mine.isEmpty else { throw .investigatorUnknown(name: investigator, known: try investigators()) }
        var keys: [AgencySecretKey] = []
        for entry in mine {
            let key: AgencySecretKey
            do {
                key = try PassphraseWrap.unwrap(entry.wrapped, passphrase: passphrase)
            } catch .wrongPassphrase {
                throw .wrongPassphrase(investigator: investigator)
            } catch {
                throw .keyringFileMalformed(file: entry.file, reason: error.description)
            }
            guard key.publicKey == entry.publicKey else { throw .keyringMismatch(file: entry.file) }
            keys.append(key)
        }
        return keys
    }

    /// Wraps `key` for `investigator` and writes its file (0600; never overwrites).
    public func store(
        _ key: AgencySecretKey, generation: Int, investigator: String, passphrase: SecureBytes, cost: Argon2Cost
    ) throws(VaultError) {
        try Self.validate(name: investigator)
        let wrapped: [UInt8]
        do {
            wrapped = try PassphraseWrap.wrap(key, passphrase: passphrase, cost: cost)
        } catch {
            throw .crypto(operation: "wrapping the agency key", reason: error.description)
        }
        let text = """
            \(Self.magic)
            investigator: \(investigator)
            generation: \(generation)
            public-key: \(key.publicKey.text)
            wrapped: \(Data(wrapped).base64EncodedString())

            """
        try createDirectory()
        // O_EXCL: an existing file (another key of the same generation, a restored backup) is
        // never replaced; the next free name is used instead. Readers go by contents, not names.
        for attempt in 1...100 {
            let suffix = attempt == 1 ? "" : "-\(attempt)"
            let url = directory.appendingPathComponent("\(investigator).\(generation)\(suffix).\(Self.fileExtension)")
            if try writeExclusive(text, to: url, skipExisting: true) { return }
        }
        throw .fileIO(path: directory.path, reason: "no free keyring file name for \(investigator) generation \(generation)")
    }

    func createDirectory() throws(VaultError) {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .fileIO(path: directory.path, reason: "cannot create the keyring directory")
        }
    }

    /// Writes a new 0600 file with O_EXCL and fsync. Returns false when it exists and
    /// `skipExisting`; otherwise an existing file is an error, never replaced.
    @discardableResult
    func writeExclusive(_ text: String, to url: URL, skipExisting: Bool = false) throws(VaultError) -> Bool {
        try createDirectory()
        let fd = open(url.path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST {
            if skipExisting { return false }
            throw .fileIO(path: url.path, reason: "it already exists; nothing was overwritten")
        }
        guard fd >= 0 else { throw .fileIO(path: url.path, reason: "cannot create the keyring file") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(url.path)
            throw .fileIO(path: url.path, reason: "cannot write the keyring file")
        }
        return true
    }

    static func validate(name: String) throws(VaultError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...32).contains(name.count), name.allSatisfy(allowed.contains), !name.hasPrefix(".") else {
            throw .invalidInvestigatorName(Output.clean(name, limit: 40))
        }
    }

    static func parse(file url: URL) throws(VaultError) -> Entry {
        let name = url.lastPathComponent
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw .keyringFileMalformed(file: name, reason: "not readable text")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == magic else { throw .keyringFileMalformed(file: name, reason: "it does not start with \(magic)") }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .keyringFileMalformed(file: name, reason: "a line has no field name") }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let investigator = fields["investigator"], (try? validate(name: investigator)) != nil else {
            throw .keyringFileMalformed(file: name, reason: "missing or invalid investigator")
        }
        guard let generation = fields["generation"].flatMap({ Int($0) }), generation > 0 else {
            throw .keyringFileMalformed(file: name, reason: "missing or invalid generation")
        }
        guard let publicText = fields["public-key"], let publicKey = try? AgencyPublicKey(text: publicText) else {
            throw .keyringFileMalformed(file: name, reason: "missing or invalid public-key")
        }
        guard let blob = fields["wrapped"].flatMap({ Data(base64Encoded: $0) }), !blob.isEmpty else {
            throw .keyringFileMalformed(file: name, reason: "missing or invalid wrapped key")
        }
        return Entry(investigator: investigator, generation: generation, publicKey: publicKey, wrapped: [UInt8](blob), file: name)
    }
}
