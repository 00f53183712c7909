/// `Array.withUnsafeBytes` only rethrows untyped errors; redaction code throws
/// `RedactionError` everywhere, so this carries the typed error across the closure.
extension Array where Element == UInt8 {
    @inline(__always)
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(RedactionError) -> R) throws(RedactionError) -> R {
        let result: Result<R, RedactionError> = withUnsafeBytes { raw in
            do throws(RedactionError) {
                return .success(try body(raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
