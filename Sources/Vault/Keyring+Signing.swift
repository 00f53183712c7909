import Foundation
import TiplineCrypto

/// Each investigator's Ed25519 signing key for the investigator service (issue 11), kept next
/// to their agency-key files and wrapped under the same passphrase with the same format
/// (`PassphraseWrap`), so one passphrase unlocks both and the server never sees either. One
/// file per investigator, `NAME.tlsign` (docs/KEYRING.md):
///
///     tipline-signing-key-v1
///     investigator: alice
///     public-key: tipline-investigator-pk-v1:...
///     wrapped: <base64 of the PassphraseWrap blob of the key's seed>
extension Keyring {
    public static let signingFileExtension = "tlsign"
    static let signingMagic = "tipline-signing-key-v1"

    func signingFile(_ investigator: String) -> URL {
        directory.appendingPathComponent("\(investigator).\(Self.signingFileExtension)")
    }

    /// The public half, readable without a passphrase (for `whoami` and the roster).
    public func signingPublicKey(investigator: String) throws(VaultError) -> InvestigatorPublicKey? {
        try Self.validate(name: investigator)
        guard FileManager.default.fileExists(atPath: signingFile(investigator).path) else { return nil }
        return try parseSigning(investigator).publicKey
    }

    /// Unwraps the investigator's signing key; `signingKeyMissing` for a keyring from before
    /// issue 11 (the hint names the command that adds one).
    public func signingKey(investigator: String, passphrase: SecureBytes) throws(VaultError) -> InvestigatorSigningKey {
        try Self.validate(name: investigator)
        guard FileManager.default.fileExists(atPath: signingFile(investigator).path) else {
            throw .signingKeyMissing(investigator: investigator)
        }
        let (publicKey, wrapped) = try parseSigning(investigator)
        let key: InvestigatorSigningKey
        do {
            key = try PassphraseWrap.unwrapSigningKey(wrapped, passphrase: passphrase)
        } catch .wrongPassphrase {
            throw .wrongPassphrase(investigator: investigator)
        } catch {
            throw .keyringFileMalformed(file: signingFile(investigator).lastPathComponent, reason: error.description)
        }
        guard key.publicKey == publicKey else { throw .keyringMismatch(file: signingFile(investigator).lastPathComponent) }
        return key
    }

    /// Creates the investigator's signing key unless one exists; returns the public half. The
    /// passphrase is checked against their agency keys first, so an upgrade cannot wrap the
    /// new key under a mistyped passphrase.
    @discardableResult
    public func ensureSigningKey(investigator: String, passphrase: SecureBytes, cost: Argon2Cost)
        throws(VaultError) -> (key: InvestigatorPublicKey, created: Bool)
    {
        if let existing = try signingPublicKey(investigator: investigator) { return (existing, false) }
        _ = try unlock(investigator: investigator, passphrase: passphrase)
        return (try createSigningKey(investigator: investigator, passphrase: passphrase, cost: cost), true)
    }

    /// For callers that just wrapped agency keys under this passphrase (init, investigator add).
    func createSigningKey(investigator: String, passphrase: SecureBytes, cost: Argon2Cost) throws(VaultError) -> InvestigatorPublicKey {
        let key = InvestigatorSigningKey.generate()
        let wrapped: [UInt8]
        do {
            wrapped = try PassphraseWrap.wrap(signingKey: key, passphrase: passphrase, cost: cost)
        } catch {
            throw .crypto(operation: "wrapping the signing key", reason: error.description)
        }
        let text = """
            \(Self.signingMagic)
            investigator: \(investigator)
            public-key: \(key.publicKey.text)
            wrapped: \(Data(wrapped).base64EncodedString())

            """
        try writeExclusive(text, to: signingFile(investigator))
        return key.publicKey
    }

    private func parseSigning(_ investigator: String) throws(VaultError) -> (publicKey: InvestigatorPublicKey, wrapped: [UInt8]) {
        let url = signingFile(investigator)
        let name = url.lastPathComponent
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw .keyringFileMalformed(file: name, reason: "not readable text")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == Self.signingMagic else {
            throw .keyringFileMalformed(file: name, reason: "it does not start with \(Self.signingMagic)")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .keyringFileMalformed(file: name, reason: "a line has no field name") }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard fields["investigator"] == investigator else { throw .keyringFileMalformed(file: name, reason: "it names another investigator") }
        guard let publicText = fields["public-key"], let publicKey = try? InvestigatorPublicKey(text: publicText) else {
            throw .keyringFileMalformed(file: name, reason: "missing or invalid public-key")
        }
        guard let blob = fields["wrapped"].flatMap({ Data(base64Encoded: $0) }), !blob.isEmpty else {
            throw .keyringFileMalformed(file: name, reason: "missing or invalid wrapped key")
        }
        return (publicKey, [UInt8](blob))
    }
}
