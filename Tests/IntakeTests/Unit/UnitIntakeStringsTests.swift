import Testing

@testable import TipIntake

@Suite("Page strings: English defaults, YAML overrides, unknown keys refused by name")
struct UnitIntakeStringsTests {
    @Test("an override replaces exactly its key")
    func override() throws {
        let strings = try IntakeStrings.parse(yaml: "lang: fr\nform.heading: \"Envoyer une alerte\"\n")
        #expect(strings["lang"] == "fr")
        #expect(strings["form.heading"] == "Envoyer une alerte")
        #expect(strings["form.submit"] == "Send the tip")
    }

    @Test("unknown keys are refused, all of them named, sorted")
    func unknownKeys() {
        #expect(throws: IntakeStrings.LoadError.unknownKeys(path: "x.yaml", keys: ["form.headng", "zz"])) {
            try IntakeStrings.parse(yaml: "zz: a\nform.headng: b\nlang: de\n", path: "x.yaml")
        }
    }

    @Test("a file that is not a mapping is refused")
    func notAMapping() {
        #expect(throws: IntakeStrings.LoadError.malformed(path: "y", reason: "the top level is not a mapping")) {
            try IntakeStrings.parse(yaml: "- a\n- b\n", path: "y")
        }
    }
}
