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
