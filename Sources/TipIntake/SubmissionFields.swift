import Foundation
import TiplinePolicy

/// The text fields of one submission, collected as they stream past.
struct SubmissionFields: Sendable, Equatable {
    var message: String?
    var category: String?
    /// Question text → answer (only non-empty answers).
    var answers: [String: String] = [:]
    var receipt: String?
    var keepLocation = false
    var keepCaptureDate = false
}

/// Which text fields a form may carry and how long each may be; anything else is refused
/// (422 invalid_field), so a client cannot slip data past the field allowlist.
struct FieldRules: Sendable {
    enum Kind: Sendable { case tip, followUp }

    let kind: Kind
    let intake: IntakePolicy
    static let shortFieldBytes = 256

    /// The byte limit for a text field, or nil when the name is not allowed.
    func limit(for name: String) -> Int? {
        switch name {
        case "message": return intake.maxMessageBytes
        case "keep_location", "keep_capture_date": return Self.shortFieldBytes
        case "category": return kind == .tip ? Self.shortFieldBytes : nil
        case "receipt": return kind == .followUp ? Self.shortFieldBytes : nil
        default:
            guard kind == .tip, let index = Self.questionIndex(name), index < intake.questions.count else { return nil }
            return intake.maxMessageBytes
        }
    }

    /// `question-3` → 3.
    static func questionIndex(_ name: String) -> Int? {
        guard name.hasPrefix("question-") else { return nil }
        let digits = name.dropFirst("question-".count)
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// Stores one complete field value (already checked against `limit(for:)`).
    func store(_ name: String, bytes: [UInt8], into fields: inout SubmissionFields) throws(IntakeError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidField("The field \(Self.shown(name)) is not valid UTF-8 text; retype it and send again.")
        }
        switch name {
        case "message": fields.message = text
        case "category": fields.category = text
        case "receipt": fields.receipt = text
        case "keep_location": fields.keepLocation = Self.checked(text)
        case "keep_capture_date": fields.keepCaptureDate = Self.checked(text)
        default:
            if let index = Self.questionIndex(name), index < intake.questions.count,
                !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            {
                fields.answers[intake.questions[index]] = text
            }
        }
    }

    /// After the whole body: the message is required; a category must be one of the policy's.
    func validate(_ fields: SubmissionFields) throws(IntakeError) {
        guard let message = fields.message, !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidField("The message is missing; write what happened and send again.")
        }
        if kind == .tip, let category = fields.category, !category.isEmpty, !intake.categories.contains(category) {
            throw .invalidField("The category is not one of this form's categories; choose one from the list.")
        }
        if kind == .followUp, fields.receipt == nil {
            throw .invalidField("The receipt is missing; enter the receipt you were given with your tip.")
        }
    }

    static func checked(_ value: String) -> Bool {
        ["on", "true", "1", "yes"].contains(value.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// A client-chosen name as it may appear in a message: printable ASCII, at most 40 characters.
    static func shown(_ name: String) -> String {
        let cleaned = String(name.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init).prefix(40))
        return "“\(cleaned)”"
    }
}
