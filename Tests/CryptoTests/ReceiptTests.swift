import Testing

@testable import TiplineCrypto

@Suite("Receipts")
struct ReceiptTests {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    @Test("generated receipts: 25 characters in five groups, 120 bits, no repeats")
    func generation() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let receipt = Receipt.generate()
            let text = receipt.displayText
            let groups = text.split(separator: "-")
            #expect(groups.count == 5 && groups.allSatisfy { $0.count == 5 })
            #expect(text.filter { $0 != "-" }.allSatisfy { Self.alphabet.contains($0) })
            #expect(TestOnlyDeterminism.entropy(of: receipt).count == 15)
            seen.insert(text)
        }
        #expect(seen.count == 200)
    }

    @Test("every character position takes many values (the bits are really random)")
    func positionsVary() {
        let texts = (0..<300).map { _ in Receipt.generate().displayText.filter { $0 != "-" } }
        for position in 0..<24 {
            let values = Set(texts.map { Array($0)[position] })
            #expect(values.count >= 20, "position \(position)")
        }
    }

    @Test("display text round trips to the same entropy")
    func roundTrip() throws {
        for _ in 0..<50 {
            let receipt = Receipt.generate()
            let parsed = try Receipt(parsing: receipt.displayText)
            #expect(parsed.entropy == receipt.entropy)
            #expect(parsed.displayText == receipt.displayText)
        }
    }

    @Test("encodes fixed bytes exactly")
    func fixedEncoding() throws {
        let zeros = TestOnlyDeterminism.receipt(entropy: [UInt8](repeating: 0, count: 15))
        #expect(zeros.displayText == "00000-00000-00000-00000-00000")
        let ones = TestOnlyDeterminism.receipt(entropy: [UInt8](repeating: 0xff, count: 15))
        // 24 × 'Z' (31); check = Σ αⁱ⁺¹·31 over i = 0…23.
        let check = ones.displayText.last!
        #expect(ones.displayText.hasPrefix("ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZ"))
        #expect(try Receipt(parsing: ones.displayText).displayText.last == check)
    }

    @Test("accepts what people type: case, O/0, I/L/1, missing or extra separators")
    func acceptedTypos() throws {
        let receipt = TestOnlyDeterminism.receipt(entropy: Array(0..<15).map { UInt8($0 * 17) })
        let text = receipt.displayText
        let compact = text.filter { $0 != "-" }
        var variants = [
            text.lowercased(), compact, " " + text + " \n", text.replacingOccurrences(of: "-", with: " "),
            compact.enumerated().map { "\($1)" + ($0 % 3 == 2 ? "--" : "") }.joined(),
        ]
        variants.append(text.map { $0 == "0" ? "O" : ($0 == "1" ? "l" : String($0)) }.joined())
        variants.append(text.map { $0 == "0" ? "o" : ($0 == "1" ? "I" : String($0)) }.joined())
        for variant in variants {
            #expect(try Receipt(parsing: variant).entropy == receipt.entropy, "\(variant)")
        }
    }

    @Test("every single-character substitution is caught")
    func everySubstitutionCaught() throws {
        for seed in 0..<2 {
            let receipt = TestOnlyDeterminism.receipt(entropy: TestSupport.pattern(count: 15, seed: UInt64(seed + 1)))
            let compact = Array(receipt.displayText.filter { $0 != "-" })
            for position in compact.indices {
                for replacement in Self.alphabet where replacement != compact[position] {
                    var typo = compact
                    typo[position] = replacement
                    #expect(throws: CryptoError.receiptCheckMismatch) { try Receipt(parsing: String(typo)) }
                }
            }
        }
    }

    @Test("every swap of two neighbouring different characters is caught")
    func everyAdjacentSwapCaught() {
        let receipt = TestOnlyDeterminism.receipt(entropy: TestSupport.pattern(count: 15, seed: 99))
        let compact = Array(receipt.displayText.filter { $0 != "-" })
        for position in 0..<(compact.count - 1) where compact[position] != compact[position + 1] {
            var typo = compact
            typo.swapAt(position, position + 1)
            #expect(throws: CryptoError.receiptCheckMismatch) { try Receipt(parsing: String(typo)) }
        }
    }

    @Test("U, foreign characters and wrong lengths are malformed, with a reason")
    func malformed() {
        let text = Receipt.generate().displayText
        let withU = "U" + text.dropFirst()
        #expect(throws: CryptoError.receiptMalformed(reason: "it contains the letter U, which receipts never use")) {
            try Receipt(parsing: withU)
        }
        #expect(throws: CryptoError.receiptMalformed(reason: "it contains a character receipts never use")) {
            try Receipt(parsing: "*" + text.dropFirst())
        }
        #expect(throws: CryptoError.receiptMalformed(reason: "it has 24 characters where a receipt has 25")) {
            try Receipt(parsing: String(text.dropLast()))
        }
        #expect(throws: CryptoError.receiptMalformed(reason: "it is longer than 25 characters")) {
            try Receipt(parsing: text + "0")
        }
        #expect(throws: CryptoError.receiptMalformed(reason: "it has 0 characters where a receipt has 25")) {
            try Receipt(parsing: " - ")
        }
    }

    @Test("error messages never contain the receipt")
    func errorsDoNotLeak() {
        let text = Receipt.generate().displayText
        for input in [text + "0", "U" + text.dropFirst(), String(text.dropLast())] {
            do {
                _ = try Receipt(parsing: input)
                Issue.record("expected an error")
            } catch {
                for group in text.split(separator: "-") { #expect(!error.description.contains(group)) }
            }
        }
    }

    @Test("receipt keys: deterministic per receipt and salt, different otherwise")
    func receiptKeys() throws {
        let receipt = Receipt.generate(), salt = DeploymentSalt.generate()
        let a = try ReceiptKeys.derive(from: receipt, salt: salt, cost: .minimumForTests)
        let b = try ReceiptKeys.derive(
            from: Receipt(parsing: receipt.displayText.lowercased()), salt: salt,
            cost: .minimumForTests)
        #expect(a.lookupID.count == 32)
        #expect(a.lookupID == b.lookupID)
        #expect(a.replyPublicKey == b.replyPublicKey)
        #expect(a.lookupID != a.replyPublicKey.bytes)
        let otherSalt = try ReceiptKeys.derive(from: receipt, salt: .generate(), cost: .minimumForTests)
        #expect(otherSalt.lookupID != a.lookupID)
        let otherReceipt = try ReceiptKeys.derive(from: .generate(), salt: salt, cost: .minimumForTests)
        #expect(otherReceipt.lookupID != a.lookupID)
        #expect(otherReceipt.replyPublicKey != a.replyPublicKey)
    }

    @Test("Argon2 costs outside libsodium's bounds are rejected; salts must be 16 bytes")
    func costAndSaltValidation() throws {
        #expect(throws: CryptoError.self) { try Argon2Cost(opsLimit: 0, memLimitBytes: 1 << 20) }
        #expect(throws: CryptoError.self) { try Argon2Cost(opsLimit: 1, memLimitBytes: 1024) }
        #expect(Argon2Cost.minimumForTests == (try Argon2Cost(opsLimit: 1, memLimitBytes: 8192)))
        #expect(throws: CryptoError.invalidSaltLength(expected: 16, got: 15)) {
            try DeploymentSalt(bytes: [UInt8](repeating: 0, count: 15))
        }
        #expect(DeploymentSalt.generate().bytes.count == 16)
        #expect(DeploymentSalt.generate() != DeploymentSalt.generate())
    }
}
