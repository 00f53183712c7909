import Foundation
import GRDB
import TiplineCrypto

/// Writes for a local cache vault that mirrors the investigator service (`tipvault sync`):
/// the server's tip ids, days, envelope headers and ciphertext stored as received, so `list`,
/// `show` and `export` read the cache exactly like the server's vault. The server's lookup id
/// never leaves it; the cache stores random bytes in its place (no tipster ever looks up here).
extension Vault {
    /// Stores envelope `seq` of `tip` unless the cache already holds it; the tip row is made
    /// with the first envelope. One durable commit; returns whether anything was stored.
    public func mirrorEnvelope(
        tip: TipID, tipDay: String, seq: Int, day: String, header: [UInt8], parts: [(part: Int64, ciphertext: [UInt8])]
    ) throws(VaultError) -> Bool {
        guard CoarseDay.isValid(tipDay), CoarseDay.isValid(day), seq >= 0 else {
            throw .vaultDamaged(reason: "the service listed an envelope with an invalid day or seq")
        }
        let envelopeID = TipID.random().text
        return try durableWrite("storing a synced envelope") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM envelopes WHERE tip_id = ? AND seq = ?", arguments: [tip.text, seq]) == true {
                return false
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM tips WHERE id = ?", arguments: [tip.text]) != true {
                try db.execute(
                    sql: "INSERT INTO tips (id, lookup_id, day) VALUES (?, ?, ?)",
                    arguments: [tip.text, Data(SecureBytes.random(count: 32).withUnsafeBytes { Data($0) }), tipDay])
            }
            for (part, ciphertext) in parts {
                var chunkSeq = 0
                var offset = 0
                repeat {
                    let end = min(offset + TipWriter.chunkBytes, ciphertext.count)
                    try db.execute(
                        sql: "INSERT INTO chunks (envelope_id, part, seq, data) VALUES (?, ?, ?, ?)",
                        arguments: [envelopeID, part, chunkSeq, Data(ciphertext[offset..<end])])
                    chunkSeq += 1
                    offset = end
                } while offset < ciphertext.count
            }
            try db.execute(
                sql: "INSERT INTO envelopes (id, tip_id, seq, day, header) VALUES (?, ?, ?, ?, ?)",
                arguments: [envelopeID, tip.text, seq, day, Data(header)])
            return true
        }
    }
}

extension Keyring {
    /// Gives a cache vault the `agency.pub` that triage is sealed to: the agency public keys
    /// this keyring holds, oldest generation first (the service does not serve the file).
    /// Leaves an existing file alone.
    public func writeAgencyKeys(intoCache directory: URL) throws(VaultError) {
        let file = AgencyKeyFile(directory: directory)
        guard !file.exists else { return }
        var seen = Set<AgencyPublicKey>()
        for entry in try entries().sorted(by: { $0.generation < $1.generation }) where seen.insert(entry.publicKey).inserted {
            try file.append(entry.publicKey)
        }
    }
}
