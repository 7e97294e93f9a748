/// How a raw limit value from a cgroup file maps to "limited to N bytes" or "no limit".
///
/// cgroup v2 writes the word `max` for no limit. cgroup v1 has no such word: an unlimited
/// `memory.limit_in_bytes` reads back as `PAGE_COUNTER_MAX * PAGE_SIZE`, which is
/// `LONG_MAX` rounded down to a page: 9223372036854771712 on 4 KiB pages,
/// 9223372036854710272 on 64 KiB pages (and the same magnitude for `memsw`, and for
/// `hierarchical_memory_limit` in memory.stat). Every such value is ≥ 2^62, and no real
/// machine has 4 EiB of memory, so the rule is: any value ≥ 2^62 is "no limit", whatever
/// the page size. The same rule is applied to numeric v2 values for robustness.
public enum CgroupLimitRule {
    /// v1 unlimited sentinel on 4 KiB pages: PAGE_COUNTER_MAX · PAGE_SIZE.
    public static let v1UnlimitedOn4KiBPages: UInt64 = 9_223_372_036_854_771_712
    /// Values at or above this (2^62) are treated as unlimited.
    public static let unlimitedThreshold: UInt64 = 1 << 62

    /// Returns nil ("no limit") for sentinel-sized values, otherwise the value.
    public static func limit(fromRaw raw: UInt64) -> UInt64? {
        raw >= unlimitedThreshold ? nil : raw
    }
}
