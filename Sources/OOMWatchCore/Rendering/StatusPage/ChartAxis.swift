/// Tick positions and labels for the status page charts: a byte axis in round binary units and a
/// time axis counted back from now.
public enum ChartAxis {
    /// A tick: its value and label.
    public struct Tick: Sendable, Hashable {
        public var value: Double
        public var label: String
    }

    private static let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]

    /// Ticks from 0 covering `maximum` bytes with at most `maximumIntervals` steps of 1, 2 or 5 × 10ⁿ
    /// of one binary unit (`0`, `256 MiB`, `512 MiB` … or `0`, `0.5 GiB`, `1 GiB` …). The last tick is
    /// the axis top, at or above `maximum`.
    public static func byteTicks(maximum: Double, maximumIntervals: Int = 5) -> [Tick] {
        let top = max(maximum, 1024)
        var unitIndex = 0
        var scale = 1.0
        while unitIndex < units.count - 1 && top >= scale * 1024 {
            scale *= 1024
            unitIndex += 1
        }
        let inUnit = top / scale
        var step = 0.1
        search: for decade in [0.1, 1.0, 10.0, 100.0, 1000.0] {
            for multiple in [1.0, 2.0, 5.0] where (multiple * decade * Double(maximumIntervals)) >= inUnit {
                step = multiple * decade
                break search
            }
        }
        let count = Int((inUnit / step).rounded(.up))
        return (0...max(1, count)).map { index in
            let value = Double(index) * step
            let label = index == 0 ? "0" : MemoryText.plainNumber(value) + " " + units[unitIndex]
            return Tick(value: value * scale, label: label)
        }
    }

    /// Ticks for a window of `windowSeconds` ending now: every 1, 5, 10, 15, 30 min or 1, 2, 3, 6, 12 h
    /// (at most `maximumIntervals` of them), labelled `-45m` … `now`; values are seconds before now.
    public static func timeTicks(windowSeconds: Int64, maximumIntervals: Int = 6) -> [Tick] {
        let steps: [Int64] = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400]
        let window = max(windowSeconds, 60)
        let step = steps.first { window / $0 <= Int64(maximumIntervals) } ?? 86_400
        var ticks: [Tick] = []
        var back: Int64 = 0
        while back <= window {
            let label = back == 0 ? "now" : (step < 3600 ? "-\(back / 60)m" : "-\(back / 3600)h")
            ticks.append(Tick(value: Double(back), label: label))
            back += step
        }
        return ticks
    }
}
