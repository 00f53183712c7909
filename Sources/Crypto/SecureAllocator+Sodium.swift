import CSodium
import Synchronization

/// Recycles `sodium_malloc` blocks of the same size. Each fresh block costs several system
/// calls (guard pages, `mprotect`, `mlock`, and the reverse on free); an investigator listing
/// 10,000 tips opens two or three short-lived keys per tip, and those calls were most of the
/// time. A released block is wiped with `sodium_memzero` at once and kept, still locked and
/// between its guard pages, for the next allocation of exactly that size (exact, so the block
/// keeps ending at its guard page). At most `maxBlocksPerSize` blocks per size are kept, and only
/// sizes up to `maxRecycledBytes`, so the locked memory held back stays small (< 1 MiB).
enum SecureAllocator {
    static let maxBlocksPerSize = 4
    static let maxRecycledBytes = 64 * 1024 + 64

    /// A wiped block waiting for reuse; only ever owned by the pool or by one SecureBytes.
    private struct Block: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }
    private static let free = Mutex<[Int: [Block]]>([:])

    /// A zero-filled block of `size` bytes (size ≥ 1).
    static func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        if size <= maxRecycledBytes,
            let reused = free.withLock({ blocks -> Block? in blocks[size]?.popLast() })
        {
            return reused.pointer
        }
        guard let raw = sodium_malloc(size) else { fatalError("TiplineCrypto: \(CryptoError.outOfMemory)") }
        sodium_memzero(raw, size)
        return raw
    }

    /// Wipes the block now; keeps it for reuse or hands it back to libsodium.
    static func release(_ pointer: UnsafeMutableRawPointer, size: Int) {
        guard size <= maxRecycledBytes else { return sodium_free(pointer) }
        sodium_memzero(pointer, size)
        let block = Block(pointer: pointer)
        let kept = free.withLock { blocks -> Bool in
            guard blocks[size, default: []].count < maxBlocksPerSize else { return false }
            blocks[size, default: []].append(block)
            return true
        }
        if !kept { sodium_free(pointer) }
    }

    /// Test hook: how many wiped blocks of `size` wait for reuse.
    static func recycledCount(size: Int) -> Int { free.withLock { $0[size]?.count ?? 0 } }
}
