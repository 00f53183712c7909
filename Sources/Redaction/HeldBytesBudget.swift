import Synchronization

/// A process-wide cap on the bytes held by scrubbers that must hold a whole file (TIFF, WebP,
/// HEIF): each holds its input and, for TIFF and WebP, the rebuilt output, so sixteen 100 MB
/// uploads at once would need gigabytes. A scrub claims bytes before it holds them; a claim
/// that would cross the limit is refused with `.busy` (retryable; intake should answer 503 with
/// `Retry-After`), never waited for, because scrubbing runs synchronously on the caller's
/// thread. A claim that is alone is always admitted, so one file within the policy's size
/// limit is never refused for being larger than the budget.
public final class HeldBytesBudget: Sendable {
    /// 256 MiB: two full-size held files (input and output of a 100 MB TIFF each) with room to spare.
    public static let defaultLimit = 256 << 20
    /// What `Retry-After` says: a held-whole scrub of a full-size file takes about a second.
    public static let retryAfterSeconds = 5
    /// The budget every `Redactor` uses unless given its own.
    public static let shared = HeldBytesBudget(limit: defaultLimit)

    public let limit: Int
    private let held = Mutex(0)

    public init(limit: Int) {
        precondition(limit > 0, "a held-bytes budget needs a positive limit")
        self.limit = limit
    }

    /// Bytes claimed right now, across every scrub in the process.
    public var inUse: Int { held.withLock { $0 } }

    /// Adds `bytes` to a claim already holding `current`; throws `.busy` past the limit
    /// unless the claim is the only one.
    func claim(_ bytes: Int, current: Int) throws(RedactionError) {
        let admitted = held.withLock { total -> Bool in
            guard total + bytes <= limit || total == current else { return false }
            total += bytes
            return true
        }
        guard admitted else { throw .busy(retryAfterSeconds: Self.retryAfterSeconds) }
    }

    func release(_ bytes: Int) {
        held.withLock { $0 -= bytes }
    }
}

/// Equal to every other budget, like `SpoolMaker`: which budget a scrub draws from never
/// changes what it writes, only whether it may start now.
extension HeldBytesBudget: Equatable {
    public static func == (a: HeldBytesBudget, b: HeldBytesBudget) -> Bool { true }
}

/// One scrub's share of the budget: grows as the scrub holds more, and is returned whole when
/// the scrub ends, however it ends (the scrubber holding it is dropped).
final class HeldBytesClaim {
    private let budget: HeldBytesBudget
    private(set) var bytes = 0

    init(_ budget: HeldBytesBudget) { self.budget = budget }

    func grow(by more: Int) throws(RedactionError) {
        try budget.claim(more, current: bytes)
        bytes += more
    }

    deinit { budget.release(bytes) }
}

/// A whole file held for random access, bounded by the policy's limit and claimed from the
/// budget as it grows.
struct HeldWholeFile {
    private(set) var bytes: [UInt8] = []
    let claim: HeldBytesClaim

    init(budget: HeldBytesBudget) { claim = HeldBytesClaim(budget) }

    mutating func append(_ piece: UnsafeRawBufferPointer, limit: Int) throws(RedactionError) {
        guard piece.count <= limit - bytes.count else { throw .tooLarge(limit: limit) }
        try claim.grow(by: piece.count)
        bytes.append(contentsOf: piece)
    }

    /// Hands the bytes over (the claim stays with the scrub until it ends).
    mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
