import Testing

@testable import TiplineVault

/// Strings that came from a tipster or the vault are printed through one cleaner: nothing in
/// them can move the cursor, retitle the window, clear the screen or reorder the text.
@Suite("Output.clean: terminal and bidi controls never reach the terminal")
struct OutputCleanTests {
    @Test(
        "escape sequences, C1 controls, bidi and invisible characters become spaces",
        arguments: [
            "\u{1B}]0;pwned\u{07}", "\u{1B}[2J", "\u{9B}31m", "\u{9D}title", "\u{202E}evil", "\u{2066}x\u{2069}", "\u{061C}",
            "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{2028}", "\u{2029}", "\u{E0041}\u{E0042}", "\u{7F}", "\r", "\u{0}",
        ])
    func unsafeCharactersAreReplaced(attack: String) {
        let cleaned = Output.clean("a" + attack + "b", limit: 200)
        #expect(cleaned.unicodeScalars.allSatisfy { !Output.isUnsafe($0) }, "\(cleaned.unicodeScalars.map { $0.value })")
        #expect(cleaned.hasPrefix("a") && cleaned.hasSuffix("b"))
        #expect(!cleaned.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E })
    }

    @Test("ordinary text in any script is unchanged, and newlines survive only in unlimited output")
    func ordinaryTextIsKept() {
        for text in ["Привет, мир", "الشاحنة الزرقاء", "青いバン", "émoji 🚐", "tab-free plain text"] {
            #expect(Output.clean(text) == text)
        }
        #expect(Output.clean("one\ntwo") == "one\ntwo")
        #expect(Output.clean("one\ntwo", limit: 50) == "one two")
        #expect(Output.clean("abcdef", limit: 4) == "abc…")
    }
}
