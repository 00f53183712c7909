/// The texts a standard colour profile may carry, per text tag, for `ICCProfileClassifier`.
/// A description outside this list (a display's name, "Color LCD", a calibration tool's label)
/// makes the profile non-standard, so it is dropped. Copyright texts are compared with every
/// digit replaced by `#`, so a vendor's notice matches whatever year it names, and nothing else.
/// Listed in docs/REDACTION.md; the verifiers keep their own copy on purpose.
struct ICCKnownTexts {
    let exact: Set<String>
    /// Patterns in which `#` stands for one decimal digit.
    let digitPatterns: Set<String>

    func matches(_ text: String) -> Bool {
        exact.contains(text) || digitPatterns.contains(String(text.map { $0.isASCII && $0.isNumber ? "#" : $0 }))
    }

    static let descriptions: Set<String> = [
        "sRGB IEC61966-2.1", "sRGB IEC61966-2-1 black scaled", "sRGB IEC61966-2-1 no black scaling", "sRGB",
        "sRGB built-in", "Display P3", "Adobe RGB (1998)", "ProPhoto RGB", "ROMM RGB", "ROMM-RGB",
        "Generic Gray Gamma 2.2 Profile", "Gray Gamma 2.2", "Dot Gain 20%", "sGray",
    ]

    static let copyrights: Set<String> = [
        "Copyright (c) #### Hewlett-Packard Company", "Copyright Apple Inc., ####",
        "Copyright #### Adobe Systems Incorporated", "Copyright (c) #### Adobe Systems Incorporated",
        "Copyright International Color Consortium, ####", "Copyright #### Google Inc.",
        "Copyright (c) Eastman Kodak Company, ####, all rights reserved.", "No copyright, use freely",
        "Public Domain", "CC0",
    ]

    /// Text tags and what each may say; any other tag must be a colorimetric data tag.
    static let byTag: [String: ICCKnownTexts] = [
        "desc": ICCKnownTexts(exact: descriptions, digitPatterns: []),
        "cprt": ICCKnownTexts(exact: [], digitPatterns: copyrights),
        "dmnd": ICCKnownTexts(exact: ["IEC http://www.iec.ch"], digitPatterns: []),
        "dmdd": ICCKnownTexts(exact: ["IEC 61966-2.1 Default RGB colour space - sRGB"], digitPatterns: []),
        "vued": ICCKnownTexts(exact: ["Reference Viewing Condition in IEC61966-2.1"], digitPatterns: []),
    ]
}
