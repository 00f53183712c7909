import Foundation

/// Text that came from a tip (or a command line) made safe to print: control characters,
/// including ANSI escapes and bidi overrides, become spaces, and long text is cut.
public enum Output {
    public static func clean(_ text: String, limit: Int = .max) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" && limit == .max { out.unicodeScalars.append(scalar); continue }
            out.unicodeScalars.append(isUnsafe(scalar) ? " " : scalar)
        }
        if out.count > limit { return String(out.prefix(max(0, limit - 1))) + "…" }
        return out
    }

    /// JSON text with every unsafe scalar (see `isUnsafe`) written as a `\uXXXX` escape (two
    /// for scalars above U+FFFF). Outside strings JSON is ASCII and newlines are layout, so this
    /// changes no value: a script still reads the same strings, a terminal sees no control.
    public static func escapingJSON(_ json: String) -> String {
        var out = ""
        for scalar in json.unicodeScalars {
            guard scalar != "\n", isUnsafe(scalar) else { out.unicodeScalars.append(scalar); continue }
            for unit in String(scalar).utf16 { out += "\\u" + String(format: "%04x", unit) }
        }
        return out
    }

    /// Anything a terminal or a text renderer may act on rather than show: controls (Cc: C0,
    /// DEL, C1 such as CSI and OSC), format characters (Cf: bidi embeddings, overrides and
    /// isolates, U+061C, zero-width characters, tag characters), line and paragraph
    /// separators (Zl, Zp), surrogates and unassigned code points. Decided by general
    /// category, so a new control character in a later Unicode version is covered too.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: true
        default: false
        }
    }
}
