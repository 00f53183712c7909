/// Parses `value; key=token; key="quoted \"string\""` header values (Content-Type,
/// Content-Disposition). Keys are lower-cased; quoted values lose their quotes and escapes.
enum HeaderParameters {
    /// A `Content-Length` value: nil when absent or not a number; `Int.max` when it is all
    /// digits but too large for an `Int` (2^63 or more), so it is refused as too large (413)
    /// rather than treated as undeclared.
    static func contentLength(_ value: String?) -> Int? {
        guard let value, !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(value) ?? .max
    }

    static func parse(_ header: String) -> (value: String, parameters: [String: String]) {
        let (value, parameters, _) = parseChecked(header)
        return (value, parameters)
    }

    /// The same, and whether every quoted string was closed: a part header with an open quote
    /// is ambiguous (where does the name end?) and is refused by the multipart reader.
    static func parseChecked(_ header: String) -> (value: String, parameters: [String: String], closed: Bool) {
        var closed = true
        var scalars = Substring(header).unicodeScalars[...]
        func skipSpaces() { while let c = scalars.first, c == " " || c == "\t" { scalars.removeFirst() } }
        func token(until stops: Set<Unicode.Scalar>) -> String {
            var out = String.UnicodeScalarView()
            while let c = scalars.first, !stops.contains(c) {
                out.append(c)
                scalars.removeFirst()
            }
            return String(out).trimmingSpaces
        }
        skipSpaces()
        let value = token(until: [";"]).lowercased()
        var parameters: [String: String] = [:]
        while scalars.first == ";" {
            scalars.removeFirst()
            skipSpaces()
            let key = token(until: ["=", ";"]).lowercased()
            var parameter = ""
            if scalars.first == "=" {
                scalars.removeFirst()
                skipSpaces()
                if scalars.first == "\"" {
                    scalars.removeFirst()
                    var out = String.UnicodeScalarView()
                    var ended = false
                    while let c = scalars.first {
                        scalars.removeFirst()
                        if c == "\"" {
                            ended = true
                            break
                        }
                        if c == "\\", let next = scalars.first {
                            scalars.removeFirst()
                            out.append(next)
                        } else {
                            out.append(c)
                        }
                    }
                    if !ended { closed = false }
                    parameter = String(out)
                    _ = token(until: [";"])
                } else {
                    parameter = token(until: [";"])
                }
            }
            if !key.isEmpty && parameters[key] == nil { parameters[key] = parameter }
        }
        return (value, parameters, closed)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
