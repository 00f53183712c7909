import Foundation
import TiplinePolicy

/// Dates the vault records: only the start of the day, week (Monday) or month the policy
/// allows, always as `yyyy-MM-dd` in UTC so days sort as text. Precise times never reach disk.
public enum CoarseDay {
    public static func string(for date: Date, granularity: DateGranularity) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var parts = calendar.dateComponents([.year, .month, .day], from: date)
        switch granularity {
        case .day: break
        case .week:
            // Back to Monday: weekday 1 is Sunday in the gregorian calendar.
            let weekday = calendar.component(.weekday, from: date)
            let back = (weekday + 5) % 7
            let monday = calendar.date(byAdding: .day, value: -back, to: date)!
            parts = calendar.dateComponents([.year, .month, .day], from: monday)
        case .month: parts.day = 1
        }
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The day string of `days` days before `now`, for retention and purge cut-offs.
    public static func cutoff(olderThan days: Int, now: Date) -> String {
        string(for: now.addingTimeInterval(-Double(days) * 86_400), granularity: .day)
    }
}
