/// Which journal files a reader opens.
public enum JournalSource: Sendable, Hashable, CustomStringConvertible {
    /// This machine's system journal (`/run/log/journal`, `/var/log/journal`), local files only.
    case system
    /// One directory of journal files, e.g. `/var/log/journal` or `/var/log/journal/<machine-id>`
    /// (`--journal-directory`); sd-journal also reads its machine-id subdirectories.
    case directory(String)
    /// The root of another OS tree, e.g. `/host` in a DaemonSet that mounts the host's
    /// `/var/log/journal` and `/run/log/journal` below it: both are read, so the volatile
    /// runtime journal (before flush, or with Storage=volatile) is not missed.
    case osRoot(String)

    /// A short human description for logs and readiness.
    public var description: String {
        switch self {
        case .system: "system journal"
        case .directory(let path): "journal directory \(path)"
        case .osRoot(let root): "journal of OS root \(root)"
        }
    }

    /// The directories whose existence and readability decide whether opening can work.
    var candidateDirectories: [String] {
        switch self {
        case .system: return ["/run/log/journal", "/var/log/journal"]
        case .directory(let path): return [path]
        case .osRoot(let root):
            let base = root.hasSuffix("/") ? String(root.dropLast()) : root
            return [base + "/run/log/journal", base + "/var/log/journal"]
        }
    }
}
