import NIOConcurrencyHelpers

/// Aggregate counts, the only thing about traffic the server ever logs (at stop): no time,
/// no address, nothing per request.
final class IntakeCounters: Sendable {
    struct Counts: Sendable, Equatable {
        var tipsStored = 0
        var followUpsStored = 0
        var followUpsDiscarded = 0
        var lookups = 0
        /// Argon2id runs, for tips and look-ups alike: a refused upload must cost none.
        var derivations = 0
        var refused = 0
        var overBudget = 0
        var internalErrors = 0
    }

    private let counts = NIOLockedValueBox(Counts())

    func add(_ key: WritableKeyPath<Counts, Int>, _ n: Int = 1) {
        counts.withLockedValue { $0[keyPath: key] += n }
    }

    var snapshot: Counts { counts.withLockedValue { $0 } }

    var summary: String {
        let c = snapshot
        return "tips stored \(c.tipsStored), follow-ups stored \(c.followUpsStored), follow-ups discarded \(c.followUpsDiscarded), "
            + "look-ups \(c.lookups), derivations \(c.derivations), refused \(c.refused), over budget \(c.overBudget), internal errors \(c.internalErrors)"
    }
}
