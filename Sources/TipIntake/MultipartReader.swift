import MultipartKit
import NIOCore

/// One part's headers, as far as intake cares.
struct PartHeaders: Sendable, Equatable {
    var name: String?
    /// Present (possibly empty) when the part is a file.
    var filename: String?
}

/// What the streaming multipart parser found in one piece of the request body, with
/// consecutive body bytes joined (MultipartKit splits body data at every CR byte).
enum MultipartEvent: Equatable {
    case partStart(PartHeaders)
    case body([UInt8])
    case partEnd
}

/// Wraps MultipartKit's push parser: feed it the body as it arrives, get events back. It also
/// checks what the parser does not: that the body ended with the closing delimiter and not
/// inside a part (a truncated upload must never be stored as if complete).
final class MultipartReader {
    private let parser: MultipartParser
    private let closing: [UInt8]
    private var pending: [MultipartEvent] = []
    private var bodyRun: [UInt8] = []
    private var headers: [(String, String)] = []
    private var headersOpen = false
    private var inPart = false
    private var tail: [UInt8] = []
    private var sawAnyPart = false

    /// The boundary from a `multipart/form-data; boundary=...` Content-Type, or nil.
    static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let (value, parameters) = HeaderParameters.parse(contentType)
        guard value == "multipart/form-data", let boundary = parameters["boundary"],
            !boundary.isEmpty, boundary.utf8.count <= 70
        else { return nil }
        return boundary
    }

    init(boundary: String) {
        parser = MultipartParser(boundary: boundary)
        closing = Array("--\(boundary)--".utf8)
        parser.onHeader = { [unowned self] name, value in
            if !self.headersOpen { self.headers = []; self.headersOpen = true }
            self.headers.append((name, value))
        }
        parser.onBody = { [unowned self] buffer in
            self.openPartIfNeeded()
            self.bodyRun.append(contentsOf: buffer.readableBytesView)
        }
        parser.onPartComplete = { [unowned self] in
            self.openPartIfNeeded()
            self.flushBody()
            self.pending.append(.partEnd)
            self.inPart = false
        }
    }

    /// Body bytes since the last event, gathered in one array (the parser hands them over in
    /// slices that end at every CR byte, i.e. every ~256 bytes of binary data).
    private func flushBody() {
        guard !bodyRun.isEmpty else { return }
        pending.append(.body(bodyRun))
        bodyRun = []
    }

    private func openPartIfNeeded() {
        guard !inPart else { return }
        inPart = true
        sawAnyPart = true
        var part = PartHeaders()
        for (name, value) in headers where name.lowercased() == "content-disposition" {
            let (_, parameters) = HeaderParameters.parse(value)
            part.name = parameters["name"]
            part.filename = parameters["filename"]
        }
        headers = []
        headersOpen = false
        pending.append(.partStart(part))
    }

    /// Parses the next piece of the body.
    func feed(_ buffer: ByteBuffer) throws(IntakeError) -> [MultipartEvent] {
        // Keep the last bytes seen, to check the closing delimiter at the end (O(1) per piece).
        let keep = closing.count + 8
        let take = min(keep, buffer.readableBytes)
        tail += buffer.getBytes(at: buffer.readerIndex + buffer.readableBytes - take, length: take) ?? []
        if tail.count > 2 * keep { tail.removeFirst(tail.count - keep) }
        do {
            try parser.execute(buffer)
        } catch {
            throw .malformed("The form data could not be read (bad multipart syntax); send the form again.")
        }
        flushBody()
        defer { pending = [] }
        return pending
    }

    /// End of the body: it must have closed its last part with the closing delimiter.
    func finish() throws(IntakeError) {
        guard sawAnyPart, !inPart, Self.contains(tail, closing) else {
            throw .malformed("The request ended before the form data was complete; send it again.")
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
