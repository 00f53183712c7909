/// What a picture, video or recording is, beyond its format: its size in pixels and its length.
/// Read from the structure the scrubber keeps (a movie's header, a FLAC STREAMINFO), never from
/// removed metadata, and identifying nobody, so investigators can tell a 3-second clip from a
/// 40-minute recording before opening either. Absent fields are unknown, not zero.
public struct MediaFacts: Codable, Sendable, Equatable {
    public var width: Int?
    public var height: Int?
    public var durationMilliseconds: Int?

    public init(width: Int? = nil, height: Int? = nil, durationMilliseconds: Int? = nil) {
        self.width = width
        self.height = height
        self.durationMilliseconds = durationMilliseconds
    }

    public var isEmpty: Bool { width == nil && height == nil && durationMilliseconds == nil }

    /// Sets the picture size if both sides are plausible (1…65,535) and none was set before:
    /// the first video track or image is the one described.
    mutating func setSize(width w: UInt64, height h: UInt64) {
        guard width == nil, (1...65_535).contains(w), (1...65_535).contains(h) else { return }
        width = Int(w)
        height = Int(h)
    }

    /// Sets the length from `units` of `perSecond` each, if plausible (under 100 days).
    mutating func setDuration(units: UInt64, perSecond: UInt64) {
        guard perSecond > 0 else { return }
        let ms = units.multipliedReportingOverflow(by: 1000)
        guard !ms.overflow else { return }
        let value = ms.partialValue / perSecond
        guard value < 100 * 86_400_000 else { return }
        durationMilliseconds = Int(value)
    }

    enum CodingKeys: String, CodingKey {
        case width, height
        case durationMilliseconds = "duration_ms"
    }
}
