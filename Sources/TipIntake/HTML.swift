/// Server-rendered HTML. Everything dynamic goes through `escape` (text and attribute values
/// alike); pages carry no script and load nothing but `/style.css`.
enum HTML {
    /// Escapes the five characters that matter in text and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The shell every page shares: language, viewport for phones, the one stylesheet.
    static func page(title: String, strings: IntakeStrings, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(escape(strings["lang"]))">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(escape(title)) – \(escape(strings["site.title"]))</title>
        <link rel="stylesheet" href="/style.css">
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// `<p>` with escaped text.
    static func paragraph(_ text: String, class name: String? = nil) -> String {
        let attribute = name.map { " class=\"\(escape($0))\"" } ?? ""
        return "<p\(attribute)>\(escape(text))</p>"
    }

    /// Multi-line text (a reply) with its line breaks kept, escaped.
    static func multiline(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "<br>")
    }
}

/// The only stylesheet (CSP `style-src 'self'`): readable on a phone, no external fonts.
enum StyleSheet {
    static let css = """
        *{box-sizing:border-box}
        body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f6f6f4}
        main{max-width:40rem;margin:0 auto;padding:1rem}
        h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
        label{display:block;font-weight:600;margin:1rem 0 .25rem}
        label.check{font-weight:400;display:flex;gap:.5rem;align-items:flex-start}
        textarea,input[type=text],select{width:100%;font:inherit;padding:.5rem;border:1px solid #767676;border-radius:4px;background:#fff}
        textarea{min-height:10rem}
        input[type=file]{font:inherit;width:100%}
        button{font:inherit;font-weight:600;margin-top:1.25rem;padding:.7rem 1.4rem;border:0;border-radius:4px;background:#1d4f91;color:#fff}
        .help{color:#4a4a4a;font-size:.95rem;margin:.25rem 0}
        .notice{border-left:4px solid #b35c00;background:#fff;padding:.5rem 1rem;margin:1.5rem 0}
        .error{border-left:4px solid #b00020;background:#fff;padding:.5rem 1rem}
        code#receipt{display:block;font-size:1.4rem;letter-spacing:.05em;word-break:break-all;background:#fff;border:2px solid #1d4f91;padding:1rem;margin:1rem 0}
        ul.files{padding-left:1.2rem}
        .reply{background:#fff;border:1px solid #ddd;padding:.5rem 1rem;margin:.5rem 0}
        a{color:#1d4f91}

        """
}
