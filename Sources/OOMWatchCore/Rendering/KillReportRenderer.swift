#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Renders assembled kills for `oomwatch parse`: JSON Lines, a human table, and a per-owner summary.
public enum KillReportRenderer {
    /// One JSON object per kill, keys sorted (stable), camelCase, nil fields omitted, each line `\n`-terminated.
    public static func jsonLines(_ kills: [OOMKill]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ""
        for k in kills {
            let data = try encoder.encode(k)
            out += String(decoding: data, as: UTF8.self)
            out += "\n"
        }
        return out
    }

    /// A fixed-width table: time, constraint, owner, victim, memory, limit cgroup.
    public static func table(_ kills: [OOMKill]) -> String {
        var rows: [[String]] = [["TIME", "CONSTRAINT", "OWNER", "VICTIM", "ANON-RSS", "TRIGGER", "LIMIT-CGROUP"]]
        for k in kills {
            rows.append([
                timeText(realtime: k.realtimeMicros, monotonic: k.monotonicMicros),
                k.constraint.rawValue,
                sanitize(k.owner.displayName),
                sanitize("\(k.victim.pid) \(k.victim.comm.display)"),
                k.victim.anonRssKB.map(mebibytes) ?? "-",
                k.trigger.map { sanitize($0.comm.display) } ?? "-",
                sanitize(k.limitCgroup ?? (k.constraint == .global ? "(global)" : "-")),
            ])
        }
        return format(rows)
    }

    /// Kills per owner, most first: `COUNT  KIND  OWNER`.
    public static func summary(_ kills: [OOMKill]) -> String {
        var counts: [String: (kind: String, count: Int)] = [:]
        for k in kills {
            let name = summaryKey(k.owner)
            counts[name, default: (k.owner.kind, 0)].count += 1
        }
        let sorted = counts.sorted { a, b in a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key }
        var rows: [[String]] = [["KILLS", "KIND", "OWNER"]]
        for (name, v) in sorted { rows.append([String(v.count), v.kind, sanitize(name)]) }
        rows.append([String(kills.count), "total", ""])
        return format(rows)
    }

    /// The owner as grouped in the summary: pods by pod (not container), units by slice/unit.
    static func summaryKey(_ owner: CgroupOwner) -> String {
        if case .pod(var p) = owner {
            p.containerID = nil
            p.containerName = nil
            p.runtime = nil
            return CgroupOwner.pod(p).displayName
        }
        return owner.displayName
    }

    static func mebibytes(_ kb: UInt64) -> String {
        let mib = Double(kb) / 1024
        return MemoryText.fixed(mib, decimals: mib >= 100 ? 0 : 1) + "MiB"
    }

    /// Realtime as UTC ISO-8601 seconds, else monotonic seconds `[123.456789]`, else `-`.
    static func timeText(realtime: Int64?, monotonic: Int64?) -> String {
        if let rt = realtime {
            let date = Date(timeIntervalSince1970: Double(rt) / 1_000_000)
            return date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        }
        if let m = monotonic {
            let frac = String(m % 1_000_000)
            return "[\(m / 1_000_000).\(String(repeating: "0", count: 6 - frac.count))\(frac)]"
        }
        return "-"
    }

    /// Replaces characters that would break a terminal table.
    static func sanitize(_ s: String) -> String {
        String(s.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    static func format(_ rows: [[String]]) -> String {
        guard let cols = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (i, c) in r.enumerated() where i < cols { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            var line = ""
            for (i, c) in r.enumerated() where i < cols {
                line += c
                if i < cols - 1 { line += String(repeating: " ", count: widths[i] - c.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
