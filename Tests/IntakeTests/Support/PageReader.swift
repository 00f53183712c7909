import Foundation

/// Just enough HTML reading for the page tests: every start tag with its attributes (in
/// whatever order the server writes them) and the text of an element found by id.
struct PageTag: CustomStringConvertible {
    var name: String
    var attributes: [String: String]
    var description: String { "<\(name) \(attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))>" }
    subscript(_ key: String) -> String? { attributes[key] }
    func has(_ key: String) -> Bool { attributes[key] != nil }
}

enum PageReader {
    static func tags(_ html: String) -> [PageTag] {
        let tagPattern = try! NSRegularExpression(pattern: #"<([a-zA-Z][a-zA-Z0-9]*)(\s[^>]*)?>"#)
        let attrPattern = try! NSRegularExpression(pattern: #"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"#)
        let ns = html as NSString
        return tagPattern.matches(in: html, range: NSRange(location: 0, length: ns.length)).map { m in
            let name = ns.substring(with: m.range(at: 1)).lowercased()
            var attributes: [String: String] = [:]
            if m.range(at: 2).location != NSNotFound {
                let text = ns.substring(with: m.range(at: 2))
                let t = text as NSString
                for a in attrPattern.matches(in: text, range: NSRange(location: 0, length: t.length)) {
                    let key = t.substring(with: a.range(at: 1)).lowercased()
                    var value = ""
                    for g in 2...4 where a.range(at: g).location != NSNotFound { value = t.substring(with: a.range(at: g)) }
                    attributes[key] = decode(value)
                }
            }
            return PageTag(name: name, attributes: attributes)
        }
    }

    /// The text inside the first element with `id` (no nested tags expected).
    static func text(ofID id: String, in html: String) -> String? {
        let pattern = try! NSRegularExpression(
            pattern: #"<([a-zA-Z0-9]+)[^>]*\sid\s*=\s*["']?"# + NSRegularExpression.escapedPattern(for: id) + #"["']?[^>]*>([^<]*)</\1>"#)
        let ns = html as NSString
        guard let m = pattern.firstMatch(in: html, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return decode(ns.substring(with: m.range(at: 2))).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Every URL-bearing attribute value (href, src, action, formaction, srcset, ...).
    static func urls(_ tags: [PageTag]) -> [String] {
        tags.flatMap { t in ["href", "src", "action", "formaction", "srcset", "poster", "data", "background"].compactMap { t[$0] } }
    }
}
