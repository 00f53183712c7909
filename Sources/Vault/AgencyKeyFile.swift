import Foundation
import TiplineCrypto

/// `agency.pub` in the vault directory: one agency public key per line (AgencyPublicKey.text),
/// oldest first. `tipvault rotate` appends; the server seals new tips to the last line. Blank
/// lines and lines starting with `#` are ignored.
struct AgencyKeyFile {
    let url: URL

    init(directory: URL) { url = directory.appendingPathComponent(Vault.agencyKeyFileName) }

    var exists: Bool { FileManager.default.fileExists(atPath: url.path) }

    func read() throws(VaultError) -> [AgencyPublicKey] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw .agencyKeyFileMissing(path: url.path) }
        var keys: [AgencyPublicKey] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let key = try? AgencyPublicKey(text: trimmed) else {
                throw .agencyKeyFileMalformed(path: url.path, line: number + 1)
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw .agencyKeyFileMalformed(path: url.path, line: 1) }
        return keys
    }

    /// Appends `key` as the newest line (creating the file with a comment on first use).
    func append(_ key: AgencyPublicKey) throws(VaultError) {
        var text =
            (try? String(contentsOf: url, encoding: .utf8))
            ?? "# Tipline agency public keys, oldest first. Give this file to the intake server; it holds nothing secret.\n"
        if !text.hasSuffix("\n") { text += "\n" }
        text += key.text + "\n"
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .fileIO(path: url.path, reason: "cannot write the agency public key file")
        }
    }
}
