import Foundation
import TiplineCrypto
import TiplineVault

#if canImport(Glibc)
    import Glibc
#endif

/// Where a passphrase comes from, in order: `--passphrase-file`, the environment variable, or
/// a prompt on the terminal with echo off. Trailing newlines are dropped.
enum Passphrase {
    static func read(file: String?, environment: String, prompt: String, confirm: Bool = false) throws(VaultError) -> SecureBytes {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .passphraseUnavailable(reason: "cannot read \(file)")
            }
            return try make(String(decoding: data, as: UTF8.self))
        }
        if let value = ProcessInfo.processInfo.environment[environment] { return try make(value) }
        let first = try prompted(prompt)
        if confirm {
            let second = try prompted("Repeat to confirm: ")
            guard first == second else { throw .passphraseUnavailable(reason: "the two entries differ") }
        }
        return first
    }

    private static func make(_ text: String) throws(VaultError) -> SecureBytes {
        var trimmed = text
        while trimmed.hasSuffix("\n") || trimmed.hasSuffix("\r") { trimmed.removeLast() }
        guard !trimmed.isEmpty else { throw .passphraseUnavailable(reason: "the passphrase is empty") }
        return SecureBytes(copying: Array(trimmed.utf8))
    }

    /// Reads one line from /dev/tty with ECHO off, restoring the terminal afterwards.
    private static func prompted(_ prompt: String) throws(VaultError) -> SecureBytes {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else { throw .passphraseUnavailable(reason: "there is no terminal to ask on") }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else { throw .passphraseUnavailable(reason: "the terminal cannot turn echo off") }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(tty, TCSAFLUSH, &silent)
        defer { _ = tcsetattr(tty, TCSAFLUSH, &saved) }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(tty, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        _ = write(tty, "\n", 1)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        guard !bytes.isEmpty else { throw .passphraseUnavailable(reason: "the passphrase is empty") }
        return SecureBytes(copying: bytes)
    }
}

/// The Argon2id cost for wrapping agency keys in the keyring: interactive, since an
/// investigator waits for it at every command (ops 3, 64 MiB; about 0.2 s here).
enum KeyringCost {
    static var current: Argon2Cost {
        // TEST-ONLY HOOK, the only place it is read: TIPVAULT_TEST_FAST_KDF=1 makes CLI tests fast
        // with libsodium's minimum cost. Debug builds only: a release `tipvault` (what
        // investigators install) ignores it, so no environment can weaken a real keyring.
        #if DEBUG
            if ProcessInfo.processInfo.environment["TIPVAULT_TEST_FAST_KDF"] == "1" { return .minimumForTests }
        #endif
        // Constant, valid cost: cannot throw.
        return try! Argon2Cost(opsLimit: 3, memLimitBytes: 64 << 20)
    }
}
