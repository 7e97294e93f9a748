#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Pre-flight checks before opening a journal, because sd-journal opens "successfully" with zero
/// files when directories are missing or unreadable (it then never shows an entry).
enum JournalAccess {
    /// nil when at least one candidate directory exists and its journal files (if any) are readable.
    static func problem(for source: JournalSource) -> JournalError? {
        var existing: [String] = []
        for directory in source.candidateDirectories where isDirectory(directory) {
            existing.append(directory)
        }
        guard !existing.isEmpty else {
            return .directoryMissing(source.candidateDirectories.first ?? "")
        }
        var sawJournalFile = false
        var unreadable: (String, Int32)?
        for directory in existing {
            guard let entries = list(directory) else {
                unreadable = unreadable ?? (directory, errno)
                continue
            }
            for name in entries {
                let path = directory + "/" + name
                if name.hasSuffix(".journal") || name.hasSuffix(".journal~") {
                    sawJournalFile = true
                    if access(path, R_OK) == 0 { return nil }
                    unreadable = unreadable ?? (path, errno)
                } else if isDirectory(path) {
                    guard let inner = list(path) else {
                        unreadable = unreadable ?? (path, errno)
                        continue
                    }
                    for file in inner where file.hasSuffix(".journal") || file.hasSuffix(".journal~") {
                        sawJournalFile = true
                        if access(path + "/" + file, R_OK) == 0 { return nil }
                        unreadable = unreadable ?? (path + "/" + file, errno)
                    }
                }
            }
        }
        if let (path, code) = unreadable, code == EACCES || code == EPERM || sawJournalFile {
            return .permissionDenied(path: path, errno: code == 0 ? EACCES : code)
        }
        return nil
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Directory entry names, nil when the directory cannot be read (errno set).
    private static func list(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
