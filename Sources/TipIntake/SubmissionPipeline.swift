import NIOCore
import NIOPosix
import TiplineCrypto
import TiplinePolicy
import TiplineRedaction
import TiplineVault

/// One attachment as the tipster is told about it: their own file name (response only) and
/// the vault's entry (neutral name, format, scrubbed size, report).
struct SubmittedAttachment: Sendable, Equatable {
    var clientName: String
    var entry: AttachmentEntry
}

/// Streams one multipart submission: text fields are collected under the allowlist's limits,
/// each file is scrubbed and staged piece by piece as it arrives (never held whole, never
/// written in plaintext). The caller commits with `writer.finish`, or `abort()`s on any error.
///
/// Opt-ins (`keep_location`, `keep_capture_date`) and a follow-up's `receipt` apply only if they
/// come before the files: the form puts them first; API clients must too (openapi.yaml).
final class SubmissionPipeline {
    /// Raw bytes gathered before one hop to the thread pool.
    static let batchBytes = 256 << 10

    let rules: FieldRules
    let redactor: Redactor
    let maxRequestBytes: Int
    private(set) var fields = SubmissionFields()
    private(set) var attachments: [SubmittedAttachment] = []
    private(set) var writer: SubmissionWriter?
    private let openWriter: (SubmissionFields) async throws -> SubmissionWriter

    private enum Current {
        case none
        case field(name: String, limit: Int, bytes: [UInt8])
        case file(File)
        case skipped
    }
    private struct File {
        var clientName: String
        var index: UInt32?
        var rawBytes = 0
        var batch: [UInt8] = []
    }
    private var current = Current.none
    private var received = 0
    private var seenFields: Set<String> = []
    private var parts = 0
    /// Every field once, every file, and as many empty file inputs again: a form as served
    /// never has more parts.
    private var maxParts: Int { 8 + rules.intake.questions.count + 2 * rules.intake.maxAttachments }

    init(
        rules: FieldRules, redactor: Redactor, maxRequestBytes: Int,
        openWriter: @escaping (SubmissionFields) async throws -> SubmissionWriter
    ) {
        self.rules = rules
        self.redactor = redactor
        self.maxRequestBytes = maxRequestBytes
        self.openWriter = openWriter
    }

    /// Reads the whole body; returns once every file is staged and the fields are valid.
    func run<Body: AsyncSequence>(body: Body, boundary: String) async throws -> SubmissionWriter where Body.Element == ByteBuffer {
        let reader = MultipartReader(boundary: boundary)
        var iterator = body.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await iterator.next()
            } catch {
                // The connection failed or timed out mid-body.
                throw IntakeError.malformed("The request ended before the form data was complete; send it again.")
            }
            guard let buffer = next else { break }
            received += buffer.readableBytes
            if received > maxRequestBytes { throw IntakeError.requestTooLarge(limit: maxRequestBytes) }
            for event in try reader.feed(buffer) {
                do {
                    try await handle(event)
                } catch let error as IntakeError {
                    throw error
                } catch {
                    throw IntakeError.notStored()
                }
            }
        }
        try reader.finish()
        try rules.validate(fields)
        return try await ensureWriter()
    }

    /// Drops whatever was staged. Safe at any point.
    func abort() async { await writer?.abort() }

    private func ensureWriter() async throws -> SubmissionWriter {
        if let writer { return writer }
        let made = try await openWriter(fields)
        writer = made
        return made
    }

    private func handle(_ event: MultipartEvent) async throws {
        switch (event, current) {
        case (.partStart(let part), _):
            try start(part)
        case (.body(let bytes), .field(let name, let limit, var value)):
            guard value.count + bytes.count <= limit else { throw fieldTooLong(name) }
            current = .none
            value += bytes
            current = .field(name: name, limit: limit, bytes: value)
        case (.body(let bytes), .file(var file)):
            current = .none
            try await fileBytes(bytes, &file)
            current = .file(file)
        case (.partEnd, .field(let name, _, var value)):
            current = .none
            // The field lives on as a String in `fields`; its raw bytes end here.
            defer { SecureBytes.wipe(&value) }
            try rules.store(name, bytes: value, into: &fields)
        case (.partEnd, .file(var file)):
            current = .none
            try await endFile(&file)
        case (.body, .skipped), (.partEnd, .skipped), (.partEnd, .none):
            current = event == .partEnd ? .none : current
        case (.body, .none):
            throw IntakeError.malformed("The form data has a part without a name; send the form again.")
        }
    }

    private func start(_ part: PartHeaders) throws {
        guard let name = part.name else {
            throw IntakeError.malformed("The form data has a part without a name; send the form again.")
        }
        parts += 1
        guard parts <= maxParts else {
            throw IntakeError.malformed("The form data has more than \(maxParts) parts; send the form as served.")
        }
        if name != "attachments" {
            // Keeping only the last copy would store something other than what was checked.
            guard seenFields.insert(name).inserted else {
                throw IntakeError.malformed("The form has the field \(FieldRules.shown(name)) more than once; send each field once.")
            }
        }
        if let filename = part.filename {
            guard name == "attachments" else {
                throw IntakeError.invalidField("Files must be sent in the “attachments” field, not \(FieldRules.shown(name)).")
            }
            current = .file(File(clientName: Self.displayName(filename)))
        } else if let limit = rules.limit(for: name) {
            current = .field(name: name, limit: limit, bytes: [])
        } else if name == "attachments" {
            current = .skipped  // an empty file input some clients send without a filename
        } else {
            throw IntakeError.invalidField("The form has an unknown field \(FieldRules.shown(name)); use the form as served.")
        }
    }

    private func fileBytes(_ bytes: [UInt8], _ file: inout File) async throws {
        guard !bytes.isEmpty else { return }
        if file.index == nil {
            guard attachments.count < rules.intake.maxAttachments else {
                throw IntakeError.tooManyAttachments(limit: rules.intake.maxAttachments)
            }
            let writer = try await ensureWriter()
            let index = UInt32(attachments.count)
            file.index = index
            try await guarded(file) {
                try await writer.begin(index, redactor: redactor, keepLocation: fields.keepLocation, keepCaptureDate: fields.keepCaptureDate)
            }
        }
        file.rawBytes += bytes.count
        let limit = min(rules.intake.maxAttachmentBytes, redactor.policy.maxAnyFileBytes)
        if file.rawBytes > limit { throw IntakeError.attachmentTooLarge(limit: limit, file: file.clientName) }
        file.batch += bytes
        if file.batch.count >= Self.batchBytes { try await flush(&file) }
    }

    private func flush(_ file: inout File) async throws {
        guard !file.batch.isEmpty, let writer else { return }
        let batch = file.batch
        file.batch = []
        try await guarded(file) { try await writer.feed(batch) }
    }

    private func endFile(_ file: inout File) async throws {
        guard let index = file.index, let writer else {
            // No bytes: an empty file input (no name) is skipped; a named empty file is refused.
            if file.clientName.isEmpty { return }
            throw Self.refusal(.empty, file: file.clientName, limit: 0)
        }
        try await flush(&file)
        let (bytes, report) = try await guarded(file) { try await writer.end() }
        let entry = AttachmentEntry(
            index: index, name: Self.neutralName(index: index, format: report.format), format: report.format.rawValue,
            bytes: bytes, removed: report.removed.map(\.rawValue), kept: report.kept.map(\.rawValue),
            width: report.facts?.width, height: report.facts?.height, durationMilliseconds: report.facts?.durationMilliseconds)
        attachments.append(SubmittedAttachment(clientName: file.clientName, entry: entry))
    }

    /// Turns the writer's failures into the contract's errors, naming the file.
    private func guarded<T>(_ file: File, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch SubmissionWriter.Failure.redaction(.spoolFailed) {
            throw IntakeError.notStored()  // the server's fault, not the file's: a 500
        } catch SubmissionWriter.Failure.redaction(.busy(let seconds)) {
            throw IntakeError.serverBusy(retryAfter: seconds, file: file.clientName)  // nor this one: a 503
        } catch SubmissionWriter.Failure.redaction(let error) {
            throw Self.refusal(error, file: file.clientName, limit: redactor.policy.maxAnyFileBytes)
        } catch is SubmissionWriter.Failure {
            throw IntakeError.notStored()
        }
    }

    static func refusal(_ error: RedactionError, file: String, limit: Int) -> IntakeError {
        if case .tooLarge(let limit) = error { return .attachmentTooLarge(limit: limit, file: file) }
        var text = error.description
        if let first = text.first { text = first.uppercased() + text.dropFirst() }
        return IntakeError(.unsupportedFile, text + ".", file: file)
    }

    private func fieldTooLong(_ name: String) -> IntakeError {
        .invalidField("The field \(FieldRules.shown(name)) is longer than allowed; shorten it and send again.")
    }

    /// `attachment-1.jpg`: the vault never stores the tipster's file name.
    static func neutralName(index: UInt32, format: MediaFormat) -> String {
        let ext: [MediaFormat: String] = [
            .jpeg: "jpg", .png: "png", .webp: "webp", .gif: "gif", .heif: "heic", .tiff: "tif", .mp4: "mp4", .mp3: "mp3",
            .wav: "wav", .flac: "flac", .ogg: "ogg", .webm: "webm", .mkv: "mkv",
        ]
        return "attachment-\(index + 1).\(ext[format] ?? format.rawValue)"
    }

    /// The last path component, printable, at most 255 characters: only ever echoed back.
    static func displayName(_ filename: String) -> String {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        return String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.properties.generalCategory != .control }).prefix(255))
    }
}
