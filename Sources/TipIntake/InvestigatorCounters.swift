import NIOConcurrencyHelpers

/// What the investigator listener logs, at stop only: how many requests were answered and how
/// many were refused, by refusal code. No key, name, tip id, path or time.
final class InvestigatorCounters: Sendable {
    private let counts = NIOLockedValueBox((answered: 0, refused: [InvestigatorError.Code: Int]()))

    func answered() { counts.withLockedValue { $0.answered += 1 } }
    func refused(_ code: InvestigatorError.Code) { counts.withLockedValue { $0.refused[code, default: 0] += 1 } }

    var summary: String {
        counts.withLockedValue { c in
            let refused = InvestigatorError.Code.allCases.compactMap { code in c.refused[code].map { "\(code.rawValue) \($0)" } }
            return "investigator requests answered \(c.answered), refused: \(refused.isEmpty ? "none" : refused.joined(separator: ", "))"
        }
    }
}
