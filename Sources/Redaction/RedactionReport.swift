import TiplinePolicy

/// What redaction did to one file, told by category only. It never carries a removed value
/// (no coordinates, no serial, no date), so it is safe to log, show the tipster and store.
public struct RedactionReport: Codable, Sendable, Equatable {
    public var format: MediaFormat
    public var bytesIn: Int
    public var bytesOut: Int
    /// Sorted, so two runs over the same file give byte-identical JSON.
    public var removed: [MetadataCategory]
    public var kept: [KeptItem]
    /// Size and length where the format says them; nil (and absent from the JSON) otherwise.
    public var facts: MediaFacts?

    public init(
        format: MediaFormat, bytesIn: Int, bytesOut: Int, removed: [MetadataCategory], kept: [KeptItem], facts: MediaFacts? = nil
    ) {
        self.format = format
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.removed = removed.sorted()
        self.kept = kept.sorted()
        self.facts = facts?.isEmpty == false ? facts : nil
    }

    init(format: MediaFormat, bytesIn: Int, bytesOut: Int, summary: ScrubSummary) {
        self.init(
            format: format, bytesIn: bytesIn, bytesOut: bytesOut, removed: Array(summary.removed),
            kept: Array(summary.kept), facts: summary.facts)
    }

    enum CodingKeys: String, CodingKey {
        case format, removed, kept, facts
        case bytesIn = "bytes_in"
        case bytesOut = "bytes_out"
    }
}
