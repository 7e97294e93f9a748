/// Formats byte counts and ratios for people: `512 MiB`, `1.5 GiB`, `188 GiB`, `0.27%`.
public enum MemoryText {
    private static let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]

    /// `bytes` in the largest binary unit that keeps the number at least 1: one decimal below 100
    /// (`1.5 GiB`, `9.8 MiB`), none from 100 on (`188 GiB`, `512 MiB`); a trailing `.0` is dropped.
    public static func bytes(_ bytes: Int64) -> String {
        if bytes < 0 { return "-" + self.bytes(bytes == Int64.min ? Int64.max : -bytes) }
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        var rounded = value >= 100 ? value.rounded() : (value * 10).rounded() / 10
        if rounded >= 1024 && unit < units.count - 1 {
            rounded /= 1024
            unit += 1
        }
        return plainNumber(rounded) + " " + units[unit]
    }

    /// `fraction` (0.0027) as a percentage: two decimals below 1 % (`0.27%`), one below 10 % (`7.5%`),
    /// none from 10 % on (`97%`).
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "n/a" }
        let percent = fraction * 100
        let decimals = percent < 1 ? 2 : (percent < 10 ? 1 : 0)
        return fixed(percent, decimals: decimals) + "%"
    }

    /// A number with at most one decimal and no trailing `.0` (`188`, `1.5`).
    public static func plainNumber(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        if tenths.truncatingRemainder(dividingBy: 10) == 0 { return String(Int64(tenths / 10)) }
        return fixed(value, decimals: 1)
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero.
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let integer = Int64(scaled)
        let sign = value < 0 && integer != 0 ? "-" : ""
        if decimals == 0 { return sign + String(integer) }
        let whole = integer / Int64(scale)
        var fraction = String(integer % Int64(scale))
        while fraction.count < decimals { fraction = "0" + fraction }
        return sign + String(whole) + "." + fraction
    }
}
