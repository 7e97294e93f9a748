import Foundation
import OOMWatchAdapters
import OOMWatchTestSupport
import Testing

@Suite("CursorStore")
struct CursorStoreTests {
    let directory: String
    init() throws {
        directory = NSTemporaryDirectory() + "oomwatch-cursor-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    private let cursorA = "s=afeede76a7244f6fa1e917bb0b753410;i=1a8;b=126da5aaa18b4c7eb85bf10b7378e4de;m=1544f39c;t=660efda82d541;x=1016f6ed2d1b6e9c"
    private let cursorB = "s=afeede76a7244f6fa1e917bb0b753410;i=1a9;b=126da5aaa18b4c7eb85bf10b7378e4de;m=1544f3a7;t=660efda82d54c;x=143245cea38aa0fb"

    @Test("missing file, save, load, atomic replace, no temp file left")
    func roundTrip() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CursorStore(directory: directory)
        #expect(store.load() == .missing)
        try store.save(cursorA)
        #expect(store.load() == .cursor(cursorA))
        try store.save(cursorB)
        #expect(store.load() == .cursor(cursorB))
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == cursorB + "\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["journal.cursor"])
        // The replacement is a new inode (rename), never an in-place rewrite.
        let before = try FileManager.default.attributesOfItem(atPath: store.path)[.systemFileNumber] as? UInt64
        try store.save(cursorA)
        let after = try FileManager.default.attributesOfItem(atPath: store.path)[.systemFileNumber] as? UInt64
        #expect(before != after)
    }

    @Test("corrupt, empty, oversized or binary files are reported as corrupt, not crashes",
          arguments: [Data(), Data("\n".utf8), Data([0xff, 0x00, 0x41]), Data("hello world".utf8),
                      Data(String(repeating: "s=", count: 1000).utf8)])
    func corrupt(content: Data) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CursorStore(directory: directory)
        try content.write(to: URL(fileURLWithPath: store.path))
        guard case .corrupt = store.load() else {
            Issue.record("expected .corrupt for \(Array(content.prefix(16))), got \(store.load())")
            return
        }
    }

    @Test("a missing state directory is a save error with errno, not a crash")
    func missingDirectory() {
        let store = CursorStore(directory: directory + "/does-not-exist")
        #expect(throws: CursorStore.SaveError.system(operation: "open", path: store.path + ".tmp", errno: ENOENT)) {
            try store.save(cursorA)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("read-only and full state directories (tmpfs mounts) are save errors; the old cursor survives",
          .enabled(if: geteuid() == 0, "SKIPPED: needs root to mount a read-only/full tmpfs"))
    func readOnlyAndFull() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mountPoint = directory + "/mnt"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)

        // Read-only: write a cursor, remount read-only, try to replace it.
        #expect(try Tools.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "oomwatch-test", mountPoint]).status == 0)
        let store = CursorStore(directory: mountPoint)
        try store.save(cursorA)
        #expect(try Tools.run("/bin/mount", ["-o", "remount,ro", mountPoint]).status == 0)
        #expect(throws: CursorStore.SaveError.system(operation: "open", path: store.path + ".tmp", errno: EROFS)) {
            try store.save(cursorB)
        }
        #expect(store.load() == .cursor(cursorA))
        #expect(try Tools.run("/bin/umount", [mountPoint]).status == 0)

        // Full: a 4 KiB tmpfs filled up.
        #expect(try Tools.run("/bin/mount", ["-t", "tmpfs", "-o", "size=4k", "oomwatch-test", mountPoint]).status == 0)
        defer { _ = try? Tools.run("/bin/umount", [mountPoint]) }
        let full = CursorStore(directory: mountPoint)
        try full.save(cursorA)
        // Fill the rest up to ENOSPC.
        let filler = open(mountPoint + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(filler >= 0)
        let block = [UInt8](repeating: 0, count: 512)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        #expect(errno == ENOSPC)
        close(filler)
        do {
            try full.save(cursorB)
            Issue.record("save on a full tmpfs succeeded")
        } catch {
            guard case .system(_, _, let code) = error, code == ENOSPC else {
                Issue.record("expected ENOSPC, got \(error)")
                return
            }
        }
        #expect(full.load() == .cursor(cursorA))
        #expect(!FileManager.default.fileExists(atPath: full.path + ".tmp"))
    }
}
