import Foundation
import Yams

/// Every piece of text the pages show, in one table so a deployment can translate or reword it
/// (`--strings FILE`, YAML `key: text`). English defaults; unknown keys are refused by name so a
/// typo cannot silently leave a page in English.
public struct IntakeStrings: Sendable, Equatable {
    public static let defaults: [String: String] = [
        "lang": "en",
        "site.title": "Tipline",
        "form.heading": "Send a tip",
        "form.intro":
            "Tell us what you saw. You do not need to give your name. After sending you get a receipt: keep it to read our replies and to add more later.",
        "form.message.label": "What happened? (required)",
        "form.category.label": "Category",
        "form.category.none": "Choose one (optional)",
        "form.questions.heading": "Optional questions",
        "form.attachments.label": "Photos, videos or voice recordings (optional)",
        "form.attachments.limits":
            "Up to {count} files, {total} in all. Each photo up to {photo}, each video up to {video}, each recording up to {audio}.",
        "form.attachments.help":
            "Photos: JPEG, PNG, WebP, GIF, HEIC/AVIF or TIFF. Videos: MP4, MOV or 3GP. Recordings: M4A, MP3, WAV, FLAC or Ogg/Opus. Hidden data such as location, camera serial numbers and dates is removed before anything is stored.",
        "form.options.heading": "Keep some details (off unless you tick them)",
        "form.keep_location.label": "Keep the location where the photos were taken (photos only)",
        "form.keep_capture_date.label": "Keep the date the photos were taken (photos only)",
        "form.submit": "Send the tip",
        "notice.heading": "What this protects, and what it cannot",
        "notice.strips":
            "Tipline removes hidden data from photos, videos and recordings (GPS location, camera or phone make and serial number, editing software, capture time unless you keep it, subtitle and telemetry tracks) and never stores your file names, your address or when exactly you sent this.",
        "notice.cannot":
            "It cannot hide what the photos and videos show or what recordings say: faces, voices, reflections, text or landmarks, background sounds, or your writing style. Your network identity is visible to your internet provider and this site unless you use Tor Browser.",
        "nav.followup": "Already sent a tip? Check for replies",
        "nav.home": "Send a new tip",
        "receipt.heading": "Your tip was received",
        "receipt.intro": "This is your receipt. It is shown only once and cannot be recovered: write it down or save it somewhere safe.",
        "receipt.files.heading": "Your files",
        "receipt.removed": "Removed",
        "receipt.kept": "Kept",
        "receipt.nothing": "nothing",
        "receipt.no_files": "No files were sent.",
        "receipt.followup": "To read replies or add information, open the follow-up page and enter your receipt.",
        "followup.heading": "Check for replies",
        "followup.intro": "Enter the receipt you were given when you sent your tip.",
        "followup.receipt.label": "Receipt",
        "followup.submit": "Check",
        "followup.status.label": "Status",
        "followup.replies.heading": "Replies",
        "followup.no_replies": "No replies yet. Check again later.",
        "followup.message.heading": "Add information",
        "followup.message.label": "Message (required)",
        "followup.message.submit": "Send",
        "followup.sent.heading": "Your message was received",
        "followup.sent.body": "Thank you. Check the follow-up page with your receipt for replies.",
        "error.heading": "Your submission was not accepted",
        "error.file": "File",
        "error.back": "Go back to the form",
        "notfound.heading": "Page not found",
    ]

    private var table: [String: String]

    public init() { table = Self.defaults }

    public subscript(_ key: String) -> String { table[key] ?? Self.defaults[key] ?? key }

    public enum LoadError: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String)
        case malformed(path: String, reason: String)
        case unknownKeys(path: String, keys: [String])

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read the strings file \(path); check the path"
            case .malformed(let path, let reason): "the strings file \(path) is not a YAML mapping of key: text (\(reason))"
            case .unknownKeys(let path, let keys):
                "the strings file \(path) has unknown keys: \(keys.joined(separator: ", ")); see IntakeStrings.defaults for the known ones"
            }
        }
    }

    /// Defaults overridden by the YAML mapping in `path`.
    public static func load(path: String) throws(LoadError) -> IntakeStrings {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path: path) }
        return try parse(yaml: text, path: path)
    }

    public static func parse(yaml: String, path: String = "(strings)") throws(LoadError) -> IntakeStrings {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw .malformed(path: path, reason: "YAML syntax error")
        }
        var strings = IntakeStrings()
        guard let node else { return strings }
        guard let mapping = node.mapping else { throw .malformed(path: path, reason: "the top level is not a mapping") }
        var unknown: [String] = []
        for (key, value) in mapping {
            guard let name = key.string else { throw .malformed(path: path, reason: "a key is not text") }
            guard defaults[name] != nil else { unknown.append(name); continue }
            guard let text = value.string else { throw .malformed(path: path, reason: "the value of \(name) is not text") }
            strings.table[name] = text
        }
        if !unknown.isEmpty { throw .unknownKeys(path: path, keys: unknown.sorted()) }
        return strings
    }
}
