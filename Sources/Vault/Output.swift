/// Text that came from a tip (or a command line) made safe to print: control characters,
/// including ANSI escapes and bidi overrides, become spaces, and long text is cut.
public enum Output {
    public static func clean(_ text: String, limit: Int = .max) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isControl = v < 0x20 || (0x7F...0x9F).contains(v)
            let isBidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
            if scalar == "\n" && limit == .max { out.unicodeScalars.append(scalar); continue }
            out.unicodeScalars.append(isControl || isBidi ? " " : scalar)
        }
        if out.count > limit { return String(out.prefix(max(0, limit - 1))) + "…" }
        return out
    }
}
