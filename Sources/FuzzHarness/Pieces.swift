/// Feeds bytes in pieces of one size, the way the network may cut an upload, so the probes
/// that compare whole and split feeding cut the same way.
enum Pieces {
    static func each<E: Error>(
        _ bytes: UnsafeRawBufferPointer, size: Int, _ body: (UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + size, bytes.count)
            try body(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        }
    }
}
