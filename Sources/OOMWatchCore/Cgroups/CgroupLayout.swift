/// Which cgroup hierarchy a host runs.
public enum CgroupHierarchyKind: String, Sendable, Hashable, Codable {
    /// cgroup v1 only: memory controller mounted at `<root>/memory`.
    case v1
    /// cgroup v2 only: unified hierarchy at `<root>`.
    case v2
    /// v1 memory controller at `<root>/memory` plus a v2 hierarchy at `<root>/unified`
    /// (systemd "hybrid"); v2 there carries PSI but not the memory controller.
    case hybrid
}

/// Where the memory files live for a detected hierarchy. Paths are absolute filesystem paths
/// without a trailing slash.
public struct CgroupLayout: Sendable, Hashable, Codable {
    /// The hierarchy kind.
    public var kind: CgroupHierarchyKind
    /// The configured cgroup root (default `/sys/fs/cgroup`).
    public var root: String
    /// Directory whose subtree holds the memory controller files
    /// (`<root>/memory` on v1/hybrid, `<root>` on v2).
    public var memoryRoot: String
    /// The v2 hierarchy (`<root>` on v2, `<root>/unified` on hybrid, nil on v1): source of `memory.pressure`.
    public var unifiedRoot: String?

    public init(kind: CgroupHierarchyKind, root: String, memoryRoot: String, unifiedRoot: String?) {
        self.kind = kind
        self.root = root
        self.memoryRoot = memoryRoot
        self.unifiedRoot = unifiedRoot
    }

    /// The conventional paths of `kind` under `root`.
    public static func conventional(_ kind: CgroupHierarchyKind, root: String) -> CgroupLayout {
        let root = CgroupPath.trimTrailingSlash(root)
        switch kind {
        case .v1: return CgroupLayout(kind: .v1, root: root, memoryRoot: root + "/memory", unifiedRoot: nil)
        case .v2: return CgroupLayout(kind: .v2, root: root, memoryRoot: root, unifiedRoot: root)
        case .hybrid: return CgroupLayout(kind: .hybrid, root: root, memoryRoot: root + "/memory", unifiedRoot: root + "/unified")
        }
    }

    /// True when the memory controller files follow the v1 names.
    public var usesV1MemoryFiles: Bool { kind != .v2 }
}

/// Small helpers for cgroup path strings (pure string manipulation).
public enum CgroupPath {
    /// Removes trailing slashes except for a lone "/".
    public static func trimTrailingSlash(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// Normalises a hierarchy prefix: "" or "/" → "", otherwise "/a/b" (leading slash, no trailing).
    public static func normalizedPrefix(_ prefix: String) -> String {
        let trimmed = trimTrailingSlash(prefix)
        if trimmed.isEmpty || trimmed == "/" { return "" }
        return trimmed.hasPrefix("/") ? trimmed : "/" + trimmed
    }

    /// Joins a cgroup path ("/" or "/a/b") onto a directory.
    public static func join(_ directory: String, _ cgroupPath: String) -> String {
        cgroupPath == "/" ? directory : directory + cgroupPath
    }
}
