import CSodium

/// Secret bytes kept out of the Swift heap: `sodium_malloc` places them between guard pages and
/// locks them in RAM (no swap); release wipes them at once (`SecureAllocator` may then reuse
/// the wiped block for the next secret of the same size). `==` runs in constant
/// time (`sodium_memcmp`) so comparing secrets leaks nothing through timing.
///
/// `@unchecked Sendable`: the pointer is owned exclusively by this instance and never
/// reallocated; concurrent readers are safe, and writers go through `withUnsafeMutableBytes`,
/// which the owner (a single key object or stream) calls before sharing the value.
public final class SecureBytes: @unchecked Sendable, Equatable {
    private let pointer: UnsafeMutableRawPointer
    public let count: Int

    /// Zero-filled secret storage of `count` bytes.
    public init(count: Int) {
        precondition(count >= 0, "SecureBytes count must not be negative")
        _ = SodiumRuntime.ready
        // sodium_malloc(0) is legal, but one byte keeps the pointer unique and never null.
        pointer = SecureAllocator.allocate(max(count, 1))
        self.count = count
    }

    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count)
        let destination = pointer.assumingMemoryBound(to: UInt8.self)
        var index = 0
        let copied = bytes.withContiguousStorageIfAvailable { source -> Bool in
            if let base = source.baseAddress { destination.update(from: base, count: source.count) }
            return true
        }
        if copied == nil {
            for byte in bytes {
                destination[index] = byte
                index += 1
            }
        }
    }

    /// `count` bytes from the operating system's CSPRNG (`randombytes_buf`).
    public static func random(count: Int) -> SecureBytes {
        let result = SecureBytes(count: count)
        if count > 0 { randombytes_buf(result.pointer, count) }
        return result
    }

    deinit { SecureAllocator.release(pointer, size: max(count, 1)) }

    /// Typed-throws generic: works as `rethrows` for untyped closures too.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R)
        throws(E) -> R
    {
        try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
    }

    /// Constant-time for equal lengths; lengths themselves are not secret.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count == 0 { return true }
        return sodium_memcmp(lhs.pointer, rhs.pointer, lhs.count) == 0
    }

    /// Internal: raw pointer for libsodium calls inside this module.
    var baseAddress: UnsafeMutablePointer<UInt8> { pointer.assumingMemoryBound(to: UInt8.self) }

    /// Internal: a public copy for values that are not secret (e.g. a lookup id).
    var bytesCopy: [UInt8] { withUnsafeBytes { Array($0) } }
}

extension SecureBytes {
    /// Zeroes an ordinary byte array Tipline is done with (`sodium_memzero`, which the
    /// compiler cannot drop as a dead store), then empties it. Only the array's own storage is
    /// wiped, so call it where the array is the sole owner of its buffer (a field value, a
    /// receipt look-up body); a shared buffer is copied first and only the copy is wiped.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 { sodium_memzero(base, raw.count) }
        }
        bytes.removeAll()
    }
}
