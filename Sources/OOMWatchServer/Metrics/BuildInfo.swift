/// What this binary is, for `oomwatch_build_info` and `--version`.
public enum BuildInfo {
    public static let version = "0.1.0"
    #if swift(>=6.3)
    public static let swiftVersion = "6.3"
    #else
    public static let swiftVersion = "6.x"
    #endif
}
