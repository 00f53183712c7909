import Foundation
import NIOCore

/// One part's headers, as far as intake cares.
/// `package`: the multipart fuzz target (Fuzz/Multipart) reads events directly.
package struct PartHeaders: Sendable, Equatable {
    package var name: String?
    /// Present (possibly empty) when the part is a file.
    package var filename: String?
}

/// What the streaming multipart reader found in one piece of the request body: at most one
/// `.body` per part per piece, so a large upload costs a handful of events per network read.
package enum MultipartEvent: Equatable {
    case partStart(PartHeaders)
    case body([UInt8])
    case partEnd
}

/// A streaming multipart/form-data reader (RFC 7578 over RFC 2046): feed it the body as it
/// arrives, get events back. Memory stays bounded: part bodies are never gathered (only the
/// few bytes that may begin a delimiter are carried to the next piece) and part headers are
/// capped. It is strict where laxness would be ambiguous: lines end in CRLF (a bare LF is
/// refused), header folding is refused, and a body that does not end with the closing
/// delimiter is refused by `finish()` (a truncated upload must never be stored as complete).
/// A preamble before the first delimiter and an epilogue after the last are ignored.
package final class MultipartReader {
    /// Most header bytes (all lines, CRLFs included) and lines one part may have.
    static let maxHeaderBytes = 8 * 1024
    static let maxHeaderLines = 100

    private enum State {
        /// Before the first delimiter: bytes are ignored.
        case preamble
        /// Inside a part's body.
        case body
        /// After a delimiter: optional spaces/tabs, then CR.
        case padding
        /// After the padding's CR: LF.
        case paddingLF
        /// A part's header lines, up to the empty line.
        case headers
        /// After the closing delimiter: bytes are ignored.
        case epilogue
    }

    private let scanner: BoundaryScanner
    private var state = State.preamble
    /// Unresolved bytes from the previous piece (a possible delimiter start). Begins as CRLF
    /// so a body that opens directly with `--boundary` matches the same delimiter.
    private var carry: [UInt8] = [13, 10]
    private var line: [UInt8] = []
    private var headerBytes = 0
    private var headerLines = 0
    private var part = PartHeaders()
    private var events: [MultipartEvent] = []
    private var sawAnyPart = false

    /// The boundary from a `multipart/form-data; boundary=...` Content-Type, or nil.
    package static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let (value, parameters) = HeaderParameters.parse(contentType)
        guard value == "multipart/form-data", let boundary = parameters["boundary"],
            !boundary.isEmpty, boundary.utf8.count <= 70
        else { return nil }
        return boundary
    }

    package init(boundary: String) {
        scanner = BoundaryScanner(boundary: boundary)
    }

    /// Parses the next piece of the body.
    package func feed(_ buffer: ByteBuffer) throws(IntakeError) -> [MultipartEvent] {
        var failure: IntakeError?
        if carry.isEmpty {
            buffer.withUnsafeReadableBytes { bytes in
                do throws(IntakeError) { try process(bytes) } catch { failure = error }
            }
        } else {
            var joined = carry
            carry = []
            joined.append(contentsOf: buffer.readableBytesView)
            joined.withUnsafeBytes { bytes in
                do throws(IntakeError) { try process(bytes) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        defer { events = [] }
        return events
    }

    /// End of the body: it must have ended with the closing delimiter, after at least one part.
    package func finish() throws(IntakeError) {
        guard state == .epilogue, sawAnyPart else {
            throw .malformed("The request ended before the form data was complete; send it again.")
        }
    }

    private static var syntax: IntakeError {
        .malformed("The form data could not be read (bad multipart syntax); send the form again.")
    }

    private func process(_ bytes: UnsafeRawBufferPointer) throws(IntakeError) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .preamble, .body:
                index = scanBody(bytes, from: index)
            case .padding:
                let byte = bytes[index]
                index += 1
                if byte == 13 {
                    state = .paddingLF
                } else if byte != 32 && byte != 9 {
                    throw Self.syntax
                }
            case .paddingLF:
                guard bytes[index] == 10 else { throw Self.syntax }
                index += 1
                state = .headers
                line.removeAll(keepingCapacity: true)
                headerBytes = 0
                headerLines = 0
                part = PartHeaders()
            case .headers:
                index = try readHeaders(bytes, from: index)
            case .epilogue:
                return
            }
        }
    }

    /// Scans body (or preamble) bytes for the next delimiter; returns where to go on from.
    private func scanBody(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let count = bytes.count
        let length = scanner.delimiter.count
        var index = start
        while true {
            let cr = BoundaryScanner.firstCR(in: bytes, from: index)
            if cr == count {
                emitBody(bytes, start..<count)
                return count
            }
            switch scanner.match(in: bytes, at: cr) {
            case .none:
                index = cr + 1
                continue
            case .partial:
                return carryFrom(cr, bytes, bodyStart: start)
            case .full:
                break
            }
            // "--boundary" then: "--" closes, padding or CR ends the line, anything else is data
            // (a longer boundary-like string).
            guard cr + length < count else { return carryFrom(cr, bytes, bodyStart: start) }
            let next = bytes[cr + length]
            if next == UInt8(ascii: "-") {
                guard cr + length + 1 < count else { return carryFrom(cr, bytes, bodyStart: start) }
                if bytes[cr + length + 1] == UInt8(ascii: "-") {
                    endBody(bytes, start..<cr)
                    state = .epilogue
                    return count
                }
            } else if next == 32 || next == 9 || next == 13 {
                endBody(bytes, start..<cr)
                state = .padding
                return cr + length
            }
            index = cr + 1
        }
    }

    private func carryFrom(_ cr: Int, _ bytes: UnsafeRawBufferPointer, bodyStart: Int) -> Int {
        emitBody(bytes, bodyStart..<cr)
        carry = Array(UnsafeRawBufferPointer(rebasing: bytes[cr..<bytes.count]))
        return bytes.count
    }

    private func emitBody(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard state == .body, !range.isEmpty else { return }
        events.append(.body(Array(UnsafeRawBufferPointer(rebasing: bytes[range]))))
    }

    private func endBody(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        emitBody(bytes, range)
        if state == .body { events.append(.partEnd) }
    }

    /// Collects header lines up to the empty line that opens the body.
    private func readHeaders(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(IntakeError) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            headerBytes += 1
            guard headerBytes <= Self.maxHeaderBytes else {
                throw .malformed("A form part has more than \(Self.maxHeaderBytes) bytes of headers; send the form as served.")
            }
            guard byte == 10 else {
                line.append(byte)
                continue
            }
            guard line.last == 13 else { throw Self.syntax }  // strict CRLF
            line.removeLast()
            if line.isEmpty {
                events.append(.partStart(part))
                sawAnyPart = true
                state = .body
                return index
            }
            headerLines += 1
            guard headerLines <= Self.maxHeaderLines else {
                throw .malformed("A form part has more than \(Self.maxHeaderLines) header lines; send the form as served.")
            }
            try takeHeader(line)
            line.removeAll(keepingCapacity: true)
        }
        return index
    }

    /// One `Name: value` line; only Content-Disposition matters to intake.
    private func takeHeader(_ line: [UInt8]) throws(IntakeError) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
            !line.contains(13),
            line[..<colon].allSatisfy({ $0 > 32 && $0 < 127 })  // also refuses folding (leading space)
        else { throw Self.syntax }
        let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
        guard name == "content-disposition" else { return }
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
        let (_, parameters, closed) = HeaderParameters.parseChecked(value)
        guard closed else {
            throw .malformed("A form part's Content-Disposition has a quote that is never closed; send the form as served.")
        }
        part.name = parameters["name"]
        // `filename*` (RFC 5987, charset'language'percent-encoded) alone still makes a file part:
        // dropping it silently would lose an attachment the tipster sent.
        part.filename = parameters["filename"] ?? parameters["filename*"].map(Self.extendedValue)
    }

    /// `UTF-8''n%C3%A4me.jpg` → `näme.jpg`; anything undecodable is kept as sent (it is only echoed).
    static func extendedValue(_ raw: String) -> String {
        let parts = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return raw }
        return String(parts[2]).removingPercentEncoding ?? raw
    }
}
