import Foundation

/// Everything the vault and the keyring report. Each message says what failed and what the
/// consequence is; `hint` says what to do. No case carries plaintext, lookup ids, key bytes
/// or passphrases, so messages may be printed or logged as they are.
public enum VaultError: Error, Equatable, CustomStringConvertible, Sendable {
    // Storage
    case cannotOpen(path: String, reason: String)
    case database(operation: String, reason: String)
    case schemaTooNew(found: Int, supported: Int)
    case writerFinished
    case duplicateLookupID
    case partOutOfRange(part: String)
    case notCompacted
    case readOnly(path: String)
    // Keys and agency.pub
    case agencyKeyFileMissing(path: String)
    case agencyKeyFileMalformed(path: String, line: Int)
    case keyringMissing(path: String)
    case keyringEmpty(path: String)
    case keyringFileMalformed(file: String, reason: String)
    case investigatorUnknown(name: String, known: [String])
    case investigatorAmbiguous(known: [String])
    case investigatorExists(name: String)
    case invalidInvestigatorName(String)
    case wrongPassphrase(investigator: String)
    case signingKeyMissing(investigator: String)
    case remoteMissing(path: String)
    case serviceUnreachable(url: String, reason: String)
    case notSent(reason: String)
    case serviceRefused(status: Int, code: String, message: String)
    case serviceAnswerMalformed(reason: String)
    case rosterChangeInvalid(reason: String)
    case remoteInvalid(String, reason: String)
    case remoteNotLoopback(String, reason: String)
    case keyringMismatch(file: String)
    case currentKeyNotHeld(fingerprint: String)
    case vaultAlreadyInitialised(path: String)
    case passphraseUnavailable(reason: String)
    // Reading tips
    case tipNotFound(String)
    case tipIDAmbiguous(String, matches: Int)
    case noKeyOpensTip(tip: String)
    case partCorrupted(tip: String, part: String, reason: String)
    case documentMalformed(tip: String, reason: String)
    case eventCorrupted(tip: String, seq: Int)
    case eventMisplaced(tip: String, seq: Int)
    case tipDamaged(tip: String, reason: String)
    case vaultDamaged(reason: String)
    case noReplyKey(tip: String)
    // Files
    case exportTargetExists(path: String)
    case fileIO(path: String, reason: String)
    case envelopeFileMalformed(path: String, reason: String)
    case envelopeNotForYou(path: String)
    case crypto(operation: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the vault at \(path): \(reason)"
        case .database(let operation, let reason): "vault database error while \(operation): \(reason)"
        case .schemaTooNew(let found, let supported):
            "the vault's schema version \(found) is newer than this build understands (\(supported)); nothing was changed"
        case .writerFinished: "this tip writer was already committed or aborted; start a new one"
        case .duplicateLookupID: "a tip with this lookup id already exists; the new tip was not stored"
        case .partOutOfRange(let part): "envelope part \(part) is out of range and was not stored"
        case .readOnly(let path): "the vault at \(path) was opened read-only; nothing was written"
        case .notCompacted: "purged but not compacted: a reader holds the vault"
        case .agencyKeyFileMissing(let path): "no agency public key file at \(path)"
        case .agencyKeyFileMalformed(let path, let line): "\(path) line \(line) is not a Tipline agency public key"
        case .keyringMissing(let path): "no keyring directory at \(path)"
        case .keyringEmpty(let path): "the keyring at \(path) holds no investigator keys"
        case .keyringFileMalformed(let file, let reason): "keyring file \(file) is damaged: \(reason)"
        case .investigatorUnknown(let name, let known):
            "no investigator named \(name) in the keyring (known: \(known.joined(separator: ", ")))"
        case .investigatorAmbiguous(let known):
            "the keyring holds several investigators (\(known.joined(separator: ", "))); say which one you are"
        case .investigatorExists(let name): "investigator \(name) already holds every agency key; nothing was changed"
        case .invalidInvestigatorName(let name):
            "investigator name \"\(name)\" is not allowed: use 1-32 letters, digits, '.', '_' or '-'"
        case .notSent(let reason): "\(reason); not sent, and nothing was stored"
        case .serviceUnreachable(let url, let reason): "the investigator service at \(url) did not answer: \(reason)"
        case .serviceRefused(let status, let code, let message): "the investigator service refused the request (\(status) \(code)): \(message)"
        case .serviceAnswerMalformed(let reason): "the investigator service sent an answer tipvault cannot use: \(reason)"
        case .rosterChangeInvalid(let reason): "the roster was not changed: \(reason)"
        case .remoteMissing(let path): "the keyring at \(path) names no investigator service"
        case .remoteInvalid(let url, let reason): "\(url) cannot be the investigator service address: \(reason)"
        case .remoteNotLoopback(let url, let reason): "\(url) is refused: \(reason)"
        case .signingKeyMissing(let name): "investigator \(name) has no signing key for the investigator service yet"
        case .wrongPassphrase(let name): "wrong passphrase for investigator \(name); no key was unlocked"
        case .keyringMismatch(let file): "keyring file \(file) holds a key that does not match the public key it names"
        case .currentKeyNotHeld(let fingerprint):
            "your keyring does not hold this vault's current agency key \(fingerprint); nothing was written"
        case .vaultAlreadyInitialised(let path): "\(path) already holds an agency key; nothing was changed"
        case .passphraseUnavailable(let reason): "no passphrase: \(reason)"
        case .tipNotFound(let id): "no tip with id \(id)"
        case .tipIDAmbiguous(let id, let matches): "tip id prefix \(id) matches \(matches) tips"
        case .noKeyOpensTip(let tip): "none of your agency keys opens tip \(tip)"
        case .partCorrupted(let tip, let part, let reason): "tip \(tip) \(part) did not decrypt: \(reason)"
        case .documentMalformed(let tip, let reason): "tip \(tip) decrypted but its document is malformed: \(reason)"
        case .eventCorrupted(let tip, let seq): "triage event \(seq) of tip \(tip) did not open: it was altered or sealed to another key"
        case .eventMisplaced(let tip, let seq): "triage event \(seq) of tip \(tip) belongs to another tip: rows were moved"
        case .tipDamaged(let tip, let reason): "tip \(tip) is damaged: \(reason)"
        case .vaultDamaged(let reason): "the vault is damaged: \(reason)"
        case .noReplyKey(let tip): "tip \(tip) carries no reply key, so the tipster cannot receive a reply"
        case .exportTargetExists(let path): "\(path) already exists; nothing was overwritten"
        case .fileIO(let path, let reason): "cannot use \(path): \(reason)"
        case .envelopeFileMalformed(let path, let reason): "\(path) is not a Tipline forwarded envelope: \(reason)"
        case .envelopeNotForYou(let path): "\(path) was sealed to another agency's key; none of your keys opens it"
        case .crypto(let operation, let reason): "\(operation) failed: \(reason)"
        }
    }

    /// What the person at the keyboard can do about it, or nil when the message says it all.
    public var hint: String? {
        switch self {
        case .cannotOpen: "check --vault points at the directory `tipvault init` created and that you may read it"
        case .schemaTooNew: "upgrade tipvault to the version the server runs"
        case .notCompacted:
            "the deleted tips' ciphertext may remain in vault.sqlite-wal: close other tipvault commands and stop the intake server, then run `tipvault purge` again"
        case .agencyKeyFileMissing: "run `tipvault init --vault DIR --keyring DIR` first, or check --vault"
        case .agencyKeyFileMalformed: "restore agency.pub from the investigator machine that ran `tipvault init`"
        case .keyringMissing, .keyringEmpty: "check --keyring, or run `tipvault init` to create a keyring"
        case .keyringFileMalformed, .keyringMismatch: "restore the keyring from a backup or have a colleague run `tipvault investigator add`"
        case .investigatorUnknown, .investigatorAmbiguous: "pass --investigator NAME (or set TIPVAULT_INVESTIGATOR)"
        case .notSent: "run the command again once the investigator service answers (`tipvault sync` first if it refused the tip)"
        case .serviceUnreachable: "check the server and your local TLS or onion proxy are running (`tipvault remote show` prints the address)"
        case .serviceRefused(_, let code, _) where code == "revoked" || code == "unknown_key":
            "your signing key is not (or no longer) in the roster: ask your admin; `tipvault whoami` prints the key"
        case .serviceRefused(_, let code, _) where code == "stale_timestamp": "check this machine's clock (the service allows 5 minutes either way)"
        case .remoteMissing: "run `tipvault remote add http://127.0.0.1:PORT --keyring DIR` first"
        case .remoteInvalid: "give the address as http://127.0.0.1:PORT"
        case .remoteNotLoopback:
            "run a TLS or onion proxy on this machine (stunnel, a Tor client with client authorization) and add its loopback address, e.g. `tipvault remote add http://127.0.0.1:PORT`"
        case .signingKeyMissing:
            "run `tipvault whoami --keyring DIR` to create one, then give the printed key to your admin for the roster"
        case .wrongPassphrase: "check the passphrase (TIPVAULT_PASSPHRASE, --passphrase-file or the prompt)"
        case .passphraseUnavailable: "pass --passphrase-file FILE or set TIPVAULT_PASSPHRASE when there is no terminal"
        case .tipNotFound, .tipIDAmbiguous: "run `tipvault list` to see tip ids; a unique prefix of 4 or more characters is enough"
        case .noKeyOpensTip: "the tip was sealed to an agency key your keyring lacks; ask a colleague who holds it to run `tipvault investigator add`"
        case .partCorrupted, .eventCorrupted, .eventMisplaced, .tipDamaged, .vaultDamaged: "the vault file was altered; restore it from a backup"
        case .currentKeyNotHeld:
            "check --keyring and --vault belong together; a colleague who holds the key can give it to you with `tipvault investigator add`"
        case .envelopeNotForYou: "ask the sender to forward it to the public key in your agency.pub"
        case .exportTargetExists: "choose an empty or new directory with --to"
        default: nil
        }
    }
}
