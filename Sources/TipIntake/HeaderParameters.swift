/// Parses `value; key=token; key="quoted \"string\""` header values (Content-Type,
/// Content-Disposition). Keys are lower-cased; quoted values lose their quotes and escapes.
enum HeaderParameters {
    static func parse(_ header: String) -> (value: String, parameters: [String: String]) {
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
                    while let c = scalars.first {
                        scalars.removeFirst()
                        if c == "\"" { break }
                        if c == "\\", let next = scalars.first {
                            scalars.removeFirst()
                            out.append(next)
                        } else {
                            out.append(c)
                        }
                    }
                    parameter = String(out)
                    _ = token(until: [";"])
                } else {
                    parameter = token(until: [";"])
                }
            }
            if !key.isEmpty && parameters[key] == nil { parameters[key] = parameter }
        }
        return (value, parameters)
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
