import TiplineCrypto

/// The receipt parser reads whatever a person (or an attacker) typed into the follow-up form.
/// Promises: anything it accepts prints as the canonical 29-character form, and that form and
/// its lower-case spelling parse back to the same receipt.
enum ReceiptProbe {
    static func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        let text = String(decoding: input, as: UTF8.self)
        guard let receipt = try? Receipt(parsing: text) else { return }
        let canonical = receipt.displayText
        let groups = canonical.split(separator: "-", omittingEmptySubsequences: false)
        guard canonical.utf8.count == 29, groups.count == 5, groups.allSatisfy({ $0.utf8.count == 5 }) else {
            throw FuzzViolation("receipt: accepted input prints as \(canonical.debugDescription)")
        }
        for spelling in [canonical, canonical.lowercased()] {
            guard let again = try? Receipt(parsing: spelling), again.displayText == canonical else {
                throw FuzzViolation("receipt: the canonical form \(spelling) does not parse back")
            }
        }
    }
}
