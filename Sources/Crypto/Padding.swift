/// PADMÉ length padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
/// Communication with PURBs", PETS 2019), FORMAT.md §8. A padded length keeps only the top
/// ~log₂log₂ L significant bits of L, so stored sizes fall into few buckets while the overhead
/// stays below 12 % (and far less for large files).
public enum Padding {
    /// PADMÉ(L). Lengths 0 and 1 are returned unchanged (there is nothing to round).
    public static func paddedLength(_ length: UInt64) -> UInt64 {
        guard length >= 2 else { return length }
        let exponent = UInt64(63 - length.leadingZeroBitCount)  // ⌊log₂ L⌋
        let significantBits = UInt64(64 - exponent.leadingZeroBitCount)  // ⌊log₂ E⌋ + 1
        let lastBits = exponent - significantBits
        let mask: UInt64 = (1 << lastBits) - 1
        let (sum, overflow) = length.addingReportingOverflow(mask)
        precondition(!overflow, "length too large to pad")
        return sum & ~mask
    }
}

extension Padding {
    /// Smallest padded length of a sealed record (FORMAT.md §11): above every status notice,
    /// triage event and short reply, so a seized copy cannot tell them apart by size.
    public static let recordMinimum = 512

    /// Padded plaintext length of a small sealed record (a triage event or tipster notice):
    /// `recordMinimum`, or the next power of two above it. Coarser than PADMÉ on purpose: these
    /// records are small, and their exact length would name the status or measure the reply.
    public static func recordLength(_ length: Int) -> Int {
        precondition(length >= 0 && length <= 1 << 40, "record length out of range")
        var padded = recordMinimum
        while padded < length { padded <<= 1 }
        return padded
    }
}
