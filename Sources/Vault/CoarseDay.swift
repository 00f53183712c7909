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

    /// True for exactly what `string(for:granularity:)` writes: `yyyy-MM-dd`, ASCII digits,
    /// month 01-12, day 01-31. Days read back from the clear `day` columns or from events are
    /// checked with it, so a tampered day is reported as damage, never printed.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }) else { return false }
        let month = Int(bytes[5] - 48) * 10 + Int(bytes[6] - 48)
        let day = Int(bytes[8] - 48) * 10 + Int(bytes[9] - 48)
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
