#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OOMWatchCore

/// Why no cgroup memory hierarchy could be found.
public enum CgroupLayoutError: Error, Sendable, Hashable {
    /// Neither `<root>/cgroup.controllers` (v2) nor `<root>/memory/memory.usage_in_bytes` (v1) exists.
    case noMemoryHierarchy(root: String)
}

/// Detects the cgroup layout and the kubelet cgroup driver from what exists on disk, so it
/// works on the real `/sys/fs/cgroup`, on host mounts under `/host`, and on fixture trees.
public enum CgroupLayoutDetector {
    /// v1 when `<root>/memory/memory.usage_in_bytes` exists (hybrid when `<root>/unified/cgroup.controllers`
    /// also exists); v2 when `<root>/cgroup.controllers` exists. v1 memory wins over a v2 root because
    /// a controller bound to v1 is absent from v2.
    public static func detect(root: String = "/sys/fs/cgroup") throws(CgroupLayoutError) -> CgroupLayout {
        let root = CgroupPath.trimTrailingSlash(root)
        if FileProbe.exists(root + "/memory/memory.usage_in_bytes") {
            let kind: CgroupHierarchyKind = FileProbe.exists(root + "/unified/cgroup.controllers") ? .hybrid : .v1
            return CgroupLayout.conventional(kind, root: root)
        }
        if FileProbe.exists(root + "/cgroup.controllers") {
            return CgroupLayout.conventional(.v2, root: root)
        }
        throw .noMemoryHierarchy(root: root)
    }

    /// The driver kubelet uses, from the directories present under the memory hierarchy
    /// (plus `hierarchyPrefix`): `kubepods.slice` → systemd, `kubepods` → cgroupfs, neither →
    /// nil (not a Kubernetes node, or kubelet not started yet). If both exist, the one holding
    /// pods wins; systemd on a tie.
    public static func detectDriver(layout: CgroupLayout, hierarchyPrefix: String = "") -> CgroupDriver? {
        let base = layout.memoryRoot + CgroupPath.normalizedPrefix(hierarchyPrefix)
        let systemd = FileProbe.isDirectory(base + "/kubepods.slice")
        let cgroupfs = FileProbe.isDirectory(base + "/kubepods")
        switch (systemd, cgroupfs) {
        case (true, false): return .systemd
        case (false, true): return .cgroupfs
        case (false, false): return nil
        case (true, true):
            let systemdCount = DirectoryLister.subdirectories(of: base + "/kubepods.slice").count
            let cgroupfsCount = DirectoryLister.subdirectories(of: base + "/kubepods").count
            return cgroupfsCount > systemdCount ? .cgroupfs : .systemd
        }
    }
}

/// stat(2)-based existence checks.
enum FileProbe {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The hard-link count of `path` (for a directory on cgroupfs or tmpfs: 2 + its subdirectories); nil
    /// when it cannot be stat'ed.
    static func linkCount(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_nlink) : nil
    }
}

/// Lists subdirectories with opendir/readdir (d_type, falling back to stat).
enum DirectoryLister {
    /// Names of the subdirectories of `path`; empty if it cannot be opened (e.g. it vanished).
    static func subdirectories(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let type = entry.pointee.d_type
            if type != UInt8(DT_DIR) && type != UInt8(DT_UNKNOWN) { continue }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if type == UInt8(DT_UNKNOWN) && !FileProbe.isDirectory(path + "/" + name) { continue }
            names.append(name)
        }
        names.sort()
        return names
    }
}
