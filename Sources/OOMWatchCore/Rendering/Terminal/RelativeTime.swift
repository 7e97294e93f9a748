/// A past time relative to now, as people say it: `just now`, `12s ago`, `5m ago`, `3h ago`, `2d ago`.
public enum RelativeTime {
    /// `thenMicros` relative to `nowMicros` (both µs since the epoch). Times in the future (clock skew)
    /// read `in 5s`; an unknown time (0) reads `-`.
    public static func text(micros thenMicros: Int64, now nowMicros: Int64) -> String {
        guard thenMicros > 0 else { return "-" }
        let difference = nowMicros - thenMicros
        let seconds = difference >= 0 ? difference / 1_000_000 : -((-difference) / 1_000_000)
        if seconds == 0 { return "just now" }
        let amount = span(abs(seconds))
        return seconds > 0 ? "\(amount) ago" : "in \(amount)"
    }

    /// A duration in its largest whole unit: `45s`, `12m`, `3h`, `2d`.
    public static func span(_ seconds: Int64) -> String {
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}
