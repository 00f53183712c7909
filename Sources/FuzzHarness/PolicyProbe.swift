import TiplinePolicy

/// The policy loader reads an operator's YAML. It is not tipster input, but a typo must give
/// an error, never a crash or a policy that differs between two reads of the same text.
enum PolicyProbe {
    static func check(_ input: UnsafeRawBufferPointer) throws(FuzzViolation) {
        let yaml = String(decoding: input, as: UTF8.self)
        let first = try? PolicyLoader.parse(yaml: yaml)
        let second = try? PolicyLoader.parse(yaml: yaml)
        guard first == second else { throw FuzzViolation("policy: two reads of the same YAML differ") }
    }
}
