import Foundation

/// Where the package's built executables are, seen from a running test binary.
public enum BuildProducts {
    /// The directory holding the test bundle and the package's executables (`.build/<triple>/debug`).
    public static var directory: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // The test binary may sit inside `<name>.xctest/` or be the `.xctest` file itself.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "Contents" || directory.lastPathComponent == "MacOS" {
            directory.deleteLastPathComponent()
        }
        return directory
    }

    /// The path of a built executable, e.g. `oomwatch`.
    public static func executable(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }
}
