import Foundation
import OOMWatchAdapters
import OOMWatchCore

/// Collects events until the stream ends or `stop` returns true; gives up after `timeoutSeconds`.
func collect(
    _ events: BackPressuredStream<JournalEvent>, timeoutSeconds: Double = 20,
    until stop: @escaping @Sendable ([JournalEvent]) -> Bool = { _ in false }
) async -> [JournalEvent] {
    await withTaskGroup(of: [JournalEvent]?.self) { group in
        group.addTask {
            var collected: [JournalEvent] = []
            for await event in events {
                collected.append(event)
                if stop(collected) { break }
            }
            return collected
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int(timeoutSeconds * 1000)))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first ?? []
    }
}

extension JournalEvent {
    var line: KernelLine? {
        if case .entry(let line) = self { return line }
        return nil
    }
    var status: JournalStatus? {
        if case .status(let status) = self { return status }
        return nil
    }
}

func fixturePath(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw FixtureMissing(name: name)
    }
    return url.path
}

struct FixtureMissing: Error { let name: String }
