import Foundation

@testable import TiplineCrypto

/// Rebuilds every file under Vectors/ deterministically: seeded keypairs, fixed file keys and
/// stream headers (through `TestOnlyDeterminism`, the library's single test-only hook), and
/// sealed boxes made test-side with seeded ephemeral keys. `VectorTests` checks that the
/// committed files equal this output, and separately that the library reads each file.
enum VectorGenerator {
    static func seed(_ label: String, count: Int = 32) -> [UInt8] {
        Encoding.blake2b(Array("tipline-vector:\(label)".utf8), outputLength: count)
    }

    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    static func all() -> [String: VectorFile] {
        var files = [String: VectorFile]()
        streams(into: &files)
        envelopes(into: &files)
        receipts(into: &files)
        keys(into: &files)
        return files
    }

    // MARK: Streams (FORMAT.md §7)

    static func streamFields(key: [UInt8], plaintext: [UInt8], expect: String, error: String? = nil)
        -> [(String, String)]
    {
        var fields = [
            ("kind", "stream"), ("expect", expect), ("key", TestSupport.hex(key)),
            ("plaintext_length", "\(plaintext.count)"),
        ]
        if plaintext.count <= 64 {
            fields.append(("plaintext", TestSupport.hex(plaintext)))
        } else {
            fields.append(("plaintext_pattern", "byte i = i mod 251"))
        }
        fields.append(("plaintext_blake2b256", TestSupport.hex(Encoding.blake2b(plaintext, outputLength: 32))))
        if let error { fields.append(("error", error)) }
        return fields
    }

    static func encryptStream(key: [UInt8], header: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        let encryptor = TestOnlyDeterminism.encryptor(key: key, header: header)
        return encryptor.push(plaintext) + encryptor.finish()
    }

    static func streams(into files: inout [String: VectorFile]) {
        let key = seed("stream-key"), header = seed("stream-header", count: 24)
        let sizes: [(String, Int)] = [
            ("empty", 0), ("one-byte", 1), ("short", 40),
            ("chunk-minus-one", 65535), ("chunk-plus-one", 65537),
        ]
        for (label, size) in sizes {
            let plaintext = pattern(size)
            files["stream-\(label).txt"] = VectorFile(
                comment: "a \(size)-byte part: header, padded chunks, TAG_FINAL",
                fields: streamFields(key: key, plaintext: plaintext, expect: "success"),
                payload: encryptStream(key: key, header: header, plaintext: plaintext))
        }
        let short = pattern(40)
        let valid = encryptStream(key: key, header: header, plaintext: short)
        var flipped = valid
        flipped[30] ^= 0x04
        files["stream-bit-flip.txt"] = VectorFile(
            comment: "one ciphertext bit flipped in the only chunk",
            fields: streamFields(
                key: key, plaintext: short, expect: "payload failure",
                error: "chunkAuthenticationFailed(0)"),
            payload: flipped)
        let long = pattern(65537)
        let twoChunks = encryptStream(key: key, header: header, plaintext: long)
        files["stream-final-chunk-missing.txt"] = VectorFile(
            comment: "a two-chunk part with its TAG_FINAL chunk removed",
            fields: streamFields(key: key, plaintext: long, expect: "truncated", error: "streamTruncated"),
            payload: Array(twoChunks[0..<(24 + 65536 + 17)]))
        files["stream-trailing-data.txt"] = VectorFile(
            comment: "a valid part followed by three extra bytes",
            fields: streamFields(key: key, plaintext: short, expect: "payload failure", error: "trailingData"),
            payload: valid + [0, 1, 2])
        let raw: [(String, String, [UInt8], [UInt8])] = [
            (
                "stream-nonzero-padding.txt", "padding after the 0x80 terminator is not zero",
                [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x80, 0x01]
            ),
            (
                "stream-missing-terminator.txt", "the final chunk has no 0x80 terminator",
                [], [0, 0, 0, 0, 0, 0]
            ),
            (
                "stream-overpadded.txt", "5 data bytes padded to 8 instead of PADMÉ(6) = 6",
                [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0x80, 0, 0]
            ),
        ]
        for (name, comment, data, chunk) in raw {
            files[name] = VectorFile(
                comment: comment,
                fields: streamFields(key: key, plaintext: data, expect: "payload failure", error: "invalidPadding"),
                payload: RawSecretstream.stream(key: key, header: header, chunks: [(chunk, RawSecretstream.tagFinal)]))
        }
    }

    // MARK: Envelopes (FORMAT.md §6)

    static func envelopeHeader(fileKey: [UInt8], recipients: [AgencySecretKey], ephemeralSeeds: [[UInt8]]) -> [UInt8] {
        var header = Array("TLENV".utf8) + [1, UInt8(recipients.count)]
        for (recipient, ephemeral) in zip(recipients, ephemeralSeeds) {
            header += recipient.publicKey.keyIDHint
            header += RawSecretstream.seal(fileKey, to: recipient.publicKey.bytes, ephemeralSeed: ephemeral)
        }
        return header
    }

    static func envelopes(into files: inout [String: VectorFile]) {
        let recipientSeeds = [seed("alice"), seed("bob")]
        let ephemeralSeeds = [seed("ephemeral-0"), seed("ephemeral-1")]
        let recipients = recipientSeeds.map { TestOnlyDeterminism.agencyKey(seed: $0) }
        let fileKey = seed("file-key"), streamHeader = seed("document-header", count: 24)
        let document = Array("Tip: the warehouse on 5th street, Tuesday night.".utf8)
        let header = envelopeHeader(fileKey: fileKey, recipients: recipients, ephemeralSeeds: ephemeralSeeds)
        let writer = try! TestOnlyDeterminism.envelopeWriter(recipients: recipients.map(\.publicKey), fileKey: fileKey)
        let encryptor = TestOnlyDeterminism.encryptor(writer, part: .document, header: streamHeader)
        let documentCiphertext = encryptor.push(document) + encryptor.finish()

        func fields(expect: String, reader: [UInt8], header: [UInt8], error: String? = nil) -> [(String, String)] {
            var fields = [("kind", "envelope"), ("expect", expect)]
            fields += recipientSeeds.map { ("recipient_seed", TestSupport.hex($0)) }
            fields += ephemeralSeeds.map { ("ephemeral_seed", TestSupport.hex($0)) }
            fields += [
                ("reader_seed", TestSupport.hex(reader)), ("file_key", TestSupport.hex(fileKey)),
                ("document_stream_header", TestSupport.hex(streamHeader)),
                ("document_plaintext", TestSupport.hex(document)),
                ("envelope_header", TestSupport.hex(header)),
            ]
            if let error { fields.append(("error", error)) }
            return fields
        }
        for (index, name) in ["alice", "bob"].enumerated() {
            files["envelope-two-recipients-\(name).txt"] = VectorFile(
                comment: "envelope v1 sealed to alice and bob, opened by \(name); payload = document part",
                fields: fields(expect: "success", reader: recipientSeeds[index], header: header),
                payload: documentCiphertext)
        }
        files["envelope-not-a-recipient.txt"] = VectorFile(
            comment: "a key the envelope was not sealed to",
            fields: fields(expect: "header failure", reader: seed("eve"), header: header, error: "notARecipient"),
            payload: documentCiphertext)
        var version2 = header
        version2[5] = 2
        files["envelope-unknown-version.txt"] = VectorFile(
            comment: "version byte 2 must be refused",
            fields: fields(
                expect: "header failure", reader: recipientSeeds[0], header: version2,
                error: "unsupportedEnvelopeVersion(2)"),
            payload: documentCiphertext)
        files["envelope-short-header.txt"] = VectorFile(
            comment: "the header lost its last byte",
            fields: fields(
                expect: "header failure", reader: recipientSeeds[0], header: Array(header.dropLast()),
                error: "malformedEnvelope"),
            payload: documentCiphertext)
        files["envelope-trailing-header-bytes.txt"] = VectorFile(
            comment: "one byte after the last recipient entry",
            fields: fields(
                expect: "header failure", reader: recipientSeeds[0], header: header + [0],
                error: "malformedEnvelope"),
            payload: documentCiphertext)
        let partIDs: [EnvelopePart] = [.document, .attachment(0), .attachment(1), .attachment(41)]
        files["kdf-part-keys.txt"] = VectorFile(
            comment: "part stream keys: crypto_kdf_derive_from_key(32, id, \"TLPARTv1\", file key)",
            fields: [
                ("kind", "kdf"), ("expect", "success"), ("file_key", TestSupport.hex(fileKey)),
                ("context", KeyDerivation.partContext),
            ]
                + partIDs.map { ("subkey", "\($0.subkeyID) " + TestSupport.hex(TestOnlyDeterminism.partKey(fileKey: fileKey, part: $0))) })
    }

    // MARK: Receipts and padding (FORMAT.md §4, §5, §8)

    static func receipts(into files: inout [String: VectorFile]) {
        let entropy = seed("receipt", count: 15)
        let receipt = TestOnlyDeterminism.receipt(entropy: entropy)
        let text = receipt.displayText
        let salt = seed("deployment-salt", count: 16)
        let cost = Argon2Cost.minimumForTests
        let keys = try! ReceiptKeys.derive(from: receipt, salt: DeploymentSalt(bytes: salt), cost: cost)
        files["receipt-keys-minimum-cost.txt"] = VectorFile(
            comment: "Argon2id13(entropy, salt) → seed → crypto_kdf \"TLRCPTv1\" ids 1 (lookup) and 2 (reply seed)",
            fields: [
                ("kind", "receipt-keys"), ("expect", "success"), ("entropy", TestSupport.hex(entropy)),
                ("receipt", text), ("salt", TestSupport.hex(salt)), ("ops_limit", "\(cost.opsLimit)"),
                ("mem_limit_bytes", "\(cost.memLimitBytes)"), ("lookup_id", TestSupport.hex(keys.lookupID)),
                ("reply_public_key", TestSupport.hex(keys.replyPublicKey.bytes)),
            ])
        for (label, bytes) in [
            ("zeros", [UInt8](repeating: 0, count: 15)), ("ones", [UInt8](repeating: 0xff, count: 15)),
            ("counting", (0..<15).map { UInt8($0) }),
        ] {
            let display = TestOnlyDeterminism.receipt(entropy: bytes).displayText
            files["receipt-text-\(label).txt"] = VectorFile(
                comment: "15 entropy bytes → 24 Crockford characters + GF(32) check, groups of five",
                fields: [
                    ("kind", "receipt-text"), ("expect", "success"), ("entropy", TestSupport.hex(bytes)),
                    ("receipt", display),
                ])
        }
        let compact = text.filter { $0 != "-" }
        let typos = [
            text.lowercased(), compact, "  " + text.replacingOccurrences(of: "-", with: " ") + " ",
            text.replacingOccurrences(of: "0", with: "O").replacingOccurrences(of: "1", with: "l"),
            text.replacingOccurrences(of: "1", with: "i").replacingOccurrences(of: "-", with: "--"),
        ]
        files["receipt-typos-accepted.txt"] = VectorFile(
            comment: "inputs a reader must accept as the same receipt",
            fields: [
                ("kind", "receipt-text"), ("expect", "success"), ("entropy", TestSupport.hex(entropy)),
                ("receipt", text),
            ] + typos.map { ("accept", $0) })
        var wrongCheck = Array(compact)
        wrongCheck[24] = wrongCheck[24] == "0" ? "1" : "0"
        var wrongData = Array(compact)
        wrongData[7] = wrongData[7] == "Z" ? "Y" : "Z"
        let rejects: [(String, String, String, String)] = [
            ("receipt-wrong-check.txt", "the check character was changed", String(wrongCheck), "receiptCheckMismatch"),
            ("receipt-substitution.txt", "one data character was changed", String(wrongData), "receiptCheckMismatch"),
            ("receipt-contains-u.txt", "U is never a receipt character", "U" + String(compact.dropFirst()), "receiptMalformed"),
            ("receipt-too-short.txt", "24 characters instead of 25", String(compact.dropLast()), "receiptMalformed"),
        ]
        for (name, comment, input, error) in rejects {
            files[name] = VectorFile(
                comment: comment,
                fields: [("kind", "receipt-text"), ("expect", "failure"), ("input", input), ("error", error)])
        }
        let lengths: [UInt64] = [0, 1, 2, 9, 11, 100, 1000, 65535, 65536, 65537, 1_000_000, 10_485_761, 1 << 32 | 1]
        files["padding-padme.txt"] = VectorFile(
            comment: "PADMÉ(L) for sample lengths; a part of L bytes stores PADMÉ(L + 1) padded bytes",
            fields: [("kind", "padding"), ("expect", "success")]
                + lengths.map { ("padme", "\($0) \(Padding.paddedLength($0))") })
    }

    // MARK: Keys, sealed boxes, wrapped keys (FORMAT.md §2, §9)

    static func keys(into files: inout [String: VectorFile]) {
        let agencySeed = seed("agency")
        let agency = TestOnlyDeterminism.agencyKey(seed: agencySeed)
        files["agency-key-text.txt"] = VectorFile(
            comment: "crypto_box_seed_keypair(seed) → public key, its agency.pub line and fingerprint",
            fields: [
                ("kind", "agency-key"), ("expect", "success"), ("seed", TestSupport.hex(agencySeed)),
                ("public_key", TestSupport.hex(agency.publicKey.bytes)), ("text", agency.publicKey.text),
                ("fingerprint", agency.publicKey.fingerprint),
            ])
        let message = Array("reply: thank you, please send the photo again".utf8)
        let ephemeral = seed("sealed-box-ephemeral")
        let sealed = RawSecretstream.seal(message, to: agency.publicKey.bytes, ephemeralSeed: ephemeral)
        for (name, reader, expect, error) in [
            ("sealed-box.txt", agencySeed, "success", nil),
            ("sealed-box-wrong-recipient.txt", seed("eve"), "failure", "sealedBoxOpenFailed"),
        ] {
            var fields = [
                ("kind", "sealed-box"), ("expect", expect), ("recipient_seed", TestSupport.hex(agencySeed)),
                ("ephemeral_seed", TestSupport.hex(ephemeral)), ("reader_seed", TestSupport.hex(reader)),
                ("plaintext", TestSupport.hex(message)),
            ]
            if let error { fields.append(("error", error)) }
            files[name] = VectorFile(
                comment: "crypto_box_seal with a seeded ephemeral key; payload = ciphertext",
                fields: fields, payload: sealed)
        }
        let passphrase = Array("correct horse battery staple".utf8)
        let salt = seed("wrap-salt", count: 16), nonce = seed("wrap-nonce", count: 24)
        let blob = try! TestOnlyDeterminism.wrap(agency, passphrase: passphrase, cost: .minimumForTests, salt: salt, nonce: nonce)
        for (name, given, expect, error) in [
            ("passphrase-wrap.txt", passphrase, "success", nil),
            ("passphrase-wrap-wrong-passphrase.txt", Array("correct horse".utf8), "failure", "wrongPassphrase"),
        ] {
            var fields = [
                ("kind", "passphrase-wrap"), ("expect", expect), ("agency_seed", TestSupport.hex(agencySeed)),
                ("public_key", TestSupport.hex(agency.publicKey.bytes)),
                ("passphrase", TestSupport.hex(passphrase)), ("given_passphrase", TestSupport.hex(given)),
                ("salt", TestSupport.hex(salt)), ("nonce", TestSupport.hex(nonce)),
                ("ops_limit", "\(Argon2Cost.minimumForTests.opsLimit)"),
                ("mem_limit_bytes", "\(Argon2Cost.minimumForTests.memLimitBytes)"),
            ]
            if let error { fields.append(("error", error)) }
            files[name] = VectorFile(
                comment: "TLKEY v1 blob wrapping the agency secret key; payload = blob",
                fields: fields, payload: blob)
        }
    }
}
