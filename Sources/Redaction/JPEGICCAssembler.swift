/// Holds a JPEG's APP2 `ICC_PROFILE` segments until the header ends, so the profile is judged
/// whole: a profile larger than one segment is split into numbered parts (ICC.1, annex B.4),
/// and keeping some parts of a display profile would still leak it. All parts are kept, byte
/// for byte and in their original order, or all are dropped. Memory is bounded by
/// `ICCProfileClassifier.maxProfileBytes`; a longer profile is dropped without being held.
struct JPEGICCAssembler {
    /// "ICC_PROFILE\0", sequence number, part count.
    static let headerLength = 14
    private(set) var segments: [[UInt8]] = []
    private var held = 0
    private var overflow = false

    var isEmpty: Bool { segments.isEmpty && !overflow }

    mutating func add(_ body: [UInt8]) {
        guard !overflow else { return }
        guard body.count - Self.headerLength <= ICCProfileClassifier.maxProfileBytes - held else {
            overflow = true
            segments = []
            return
        }
        held += max(0, body.count - Self.headerLength)
        segments.append(body)
    }

    /// The reassembled profile, or nil when the parts are not one complete, consistent sequence.
    func profile() -> [UInt8]? {
        guard !overflow, !segments.isEmpty, segments.allSatisfy({ $0.count >= Self.headerLength }) else { return nil }
        let total = Int(segments[0][13])
        guard total == segments.count, segments.allSatisfy({ Int($0[13]) == total }) else { return nil }
        let ordered = segments.sorted { $0[12] < $1[12] }
        guard ordered.map({ Int($0[12]) }) == Array(1...total) else { return nil }
        return ordered.flatMap { $0[Self.headerLength...] }
    }

    /// True when the profile may stay: the policy keeps profiles and this one is standard.
    func keep() -> Bool {
        guard let profile = profile() else { return false }
        return ICCProfileClassifier.isStandard(profile[...])
    }
}
