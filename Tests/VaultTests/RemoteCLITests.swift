import Foundation
import Testing
import TiplineCrypto

@testable import TiplineVault

/// `tipvault whoami` and `tipvault remote add|show` through the binary (issue 11): the signing
/// key is printed for the roster, and only loopback HTTP is accepted as the service address.
@Suite("tipvault whoami and remote", .enabled(if: CLI.binary != nil, "the tipvault binary is not built"))
final class RemoteCLITests {
    let root: URL
    let env = ["TIPVAULT_PASSPHRASE": "remote passphrase"]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tipvault-remote-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let result = try CLI.run(["init", "--vault", "v", "--keyring", "k", "--investigator", "ana"], env: env, in: root)
        #expect(result.status == 0, "\(result.err)")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    @Test("whoami prints the signing key that init made, without asking for the passphrase")
    func whoami() throws {
        let ring = Keyring(directory: root.appendingPathComponent("k"))
        let key = try #require(try ring.signingPublicKey(investigator: "ana"))
        let shown = try CLI.run(["whoami", "--keyring", "k"], in: root)
        #expect(shown.status == 0, "\(shown.err)")
        #expect(shown.out == "investigator: ana\nsigning-key: \(key.text)\nfingerprint: \(key.fingerprint)\n")
    }

    @Test("remote add stores a loopback URL 0600; anything else is refused with a hint to use a local proxy")
    func remoteAdd() throws {
        let missing = try CLI.run(["remote", "show", "--keyring", "k"], in: root)
        #expect(missing.status == 1)
        #expect(missing.err.contains("tipvault: hint: run `tipvault remote add http://127.0.0.1:PORT --keyring DIR` first"))

        let added = try CLI.run(["remote", "add", "http://localhost:8081/", "--keyring", "k"], in: root)
        #expect(added.status == 0, "\(added.err)")
        #expect(added.out == "remote: http://localhost:8081\n")
        let file = root.appendingPathComponent("k/remote.conf")
        #expect(try String(contentsOf: file, encoding: .utf8) == "tipline-remote-v1\nurl: http://localhost:8081\n")
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o600)
        let shown = try CLI.run(["remote", "show", "--keyring", "k"], in: root)
        #expect(shown.out == "remote: http://localhost:8081\n")
        let replaced = try CLI.run(["remote", "add", "http://127.0.0.1:9000", "--keyring", "k"], in: root)
        #expect(replaced.err == "tipvault: replaced the earlier remote http://localhost:8081\n")
        #expect(try Keyring(directory: root.appendingPathComponent("k")).remote() == RemoteConfig(url: "http://127.0.0.1:9000"))

        for url in ["http://tips.example.org:8081", "https://127.0.0.1:8443", "http://10.0.0.5:80", "http://127.0.0.1.example:80"] {
            let refused = try CLI.run(["remote", "add", url, "--keyring", "k"], in: root)
            #expect(refused.status == 1, "\(url)")
            #expect(refused.err.hasPrefix("tipvault: error: \(url) is refused: "), "\(refused.err)")
            #expect(refused.err.contains("tipvault: hint: run a TLS or onion proxy on this machine"), "\(refused.err)")
        }
        for url in ["http://user:pw@127.0.0.1:1", "http://127.0.0.1:8081/investigator", "not a url"] {
            let refused = try CLI.run(["remote", "add", url, "--keyring", "k"], in: root)
            #expect(refused.status == 1 && refused.err.contains("cannot be the investigator service address"), "\(url): \(refused.err)")
        }
        // A refused address leaves the stored one alone.
        #expect(try CLI.run(["remote", "show", "--keyring", "k"], in: root).out == "remote: http://127.0.0.1:9000\n")
    }

    @Test("loopback means 127.0.0.0/8, ::1 or localhost, spelled exactly")
    func loopbackRule() throws {
        #expect(try RemoteConfig(url: "http://[::1]:81").url == "http://[::1]:81")
        #expect(try RemoteConfig(url: "http://127.1.2.3").port == 80)
        for host in ["127.0.0.01", "127.0.0", "0x7f.0.0.1", "128.0.0.1"] { #expect(!RemoteConfig.isLoopback(host), "\(host)") }
    }
}
