import Foundation

/// Where `tipvault` reaches the investigator service (issue 11): one URL in `remote.conf` in
/// the keyring folder (0600), next to the key that signs the requests. `tipvault` itself speaks
/// plain HTTP only, so the URL must be loopback: reaching a remote server goes through a local
/// TLS or onion proxy (stunnel, a Tor client's HTTP tunnel) the investigator runs, never
/// plain HTTP over a network (docs/DEPLOY.md §10).
///
///     tipline-remote-v1
///     url: http://127.0.0.1:8443
public struct RemoteConfig: Sendable, Equatable {
    public static let fileName = "remote.conf"
    static let magic = "tipline-remote-v1"

    /// Canonical `http://HOST:PORT` (no path, query or credentials).
    public let url: String
    public let host: String
    public let port: Int

    /// Checks `text` is `http://` to a loopback host with an explicit or default port.
    public init(url text: String) throws(VaultError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { throw .remoteInvalid(Output.clean(trimmed, limit: 80), reason: "it is not an http:// URL") }
        guard scheme == "http" else {
            throw .remoteNotLoopback(Output.clean(trimmed, limit: 80), reason: "tipvault speaks plain HTTP only, to a local proxy")
        }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
            components.path.isEmpty || components.path == "/"
        else { throw .remoteInvalid(Output.clean(trimmed, limit: 80), reason: "give only http://HOST:PORT, no path, query or credentials") }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        guard Self.isLoopback(bare) else {
            throw .remoteNotLoopback(Output.clean(trimmed, limit: 80), reason: "plain HTTP is allowed to this machine only")
        }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else { throw .remoteInvalid(Output.clean(trimmed, limit: 80), reason: "the port is out of range") }
        self.host = bare == "localhost" ? "127.0.0.1" : bare
        self.port = port
        self.url = "http://\(bare.contains(":") ? "[\(bare)]" : bare):\(port)"
    }

    /// 127.0.0.0/8, ::1 and `localhost`; names are not resolved, so DNS cannot redirect it.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { UInt8($0) != nil && String(UInt8($0)!) == $0 }
    }
}

extension Keyring {
    var remoteFile: URL { directory.appendingPathComponent(RemoteConfig.fileName) }

    /// The configured remote, or `remoteMissing` (the hint names `tipvault remote add`).
    public func remote() throws(VaultError) -> RemoteConfig {
        guard FileManager.default.fileExists(atPath: remoteFile.path) else { throw .remoteMissing(path: directory.path) }
        guard let text = try? String(contentsOf: remoteFile, encoding: .utf8) else {
            throw .keyringFileMalformed(file: RemoteConfig.fileName, reason: "not readable text")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == RemoteConfig.magic, lines.count >= 2, lines[1].hasPrefix("url:") else {
            throw .keyringFileMalformed(file: RemoteConfig.fileName, reason: "it does not start with \(RemoteConfig.magic) and a url line")
        }
        return try RemoteConfig(url: String(lines[1].dropFirst(4)))
    }

    /// Writes `remote.conf` (0600), replacing an earlier one through a rename so a crash
    /// leaves either the old or the new file. Returns the remote it replaced, if any.
    @discardableResult
    public func setRemote(_ remote: RemoteConfig) throws(VaultError) -> RemoteConfig? {
        _ = try entries()
        let previous = try? self.remote()
        let temporary = directory.appendingPathComponent(".\(RemoteConfig.fileName).\(UUID().uuidString.prefix(8))")
        try writeExclusive("\(RemoteConfig.magic)\nurl: \(remote.url)\n", to: temporary)
        guard rename(temporary.path, remoteFile.path) == 0 else {
            unlink(temporary.path)
            throw .fileIO(path: remoteFile.path, reason: "cannot replace the remote file")
        }
        return previous
    }
}
