import Foundation

/// What the fuzz targets share: handing control to libFuzzer's driver (fuzz builds), and replaying
/// files through a harness without libFuzzer (plain builds: the corpus and crash reproducers).
public enum Fuzzing {
    /// A path given to `replay` that does not exist, or paths that hold no input at all.
    public struct NothingToReplay: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `body` on every file named in `paths` (directories: every file in them, sorted); returns how
    /// many inputs were replayed. A crash in `body` is the failure; so is a missing path or no input, so a
    /// moved corpus cannot pass by replaying nothing.
    public static func replay(_ paths: some Sequence<String>, _ body: ([UInt8]) -> Void) throws -> Int {
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw NothingToReplay(description: "no such file or directory: \(path)")
            }
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                body(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                count += 1
            }
        }
        guard count > 0 else { throw NothingToReplay(description: "no input to replay") }
        return count
    }

    #if FUZZING
    /// Hands control to libFuzzer's driver with `callback` as the test function. SwiftPM links an
    /// executable's `main` as `<Module>_main`; each target defines that symbol and calls this.
    public static func runLibFuzzer(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt {
        var count = argc
        var arguments = argv
        return withUnsafeMutablePointer(to: &count) { c in
            withUnsafeMutablePointer(to: &arguments) { a in LLVMFuzzerRunDriver(c, a, callback) }
        }
    }
    #endif
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
#endif
