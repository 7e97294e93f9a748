/// Makes untrusted text safe and measurable for a terminal.
public enum TerminalText {
    /// `text` with control characters (C0, DEL, C1: an ESC in a process name must not reach the
    /// terminal) shown as `\xNN`, tabs and newlines as spaces.
    public static func sanitize(_ text: String) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where isControl(scalar) { needsWork = true; break }
        guard needsWork else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                out.append(" ")
            } else if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                for s in ("\\x" + (hex.count < 2 ? "0" + hex : hex)).unicodeScalars { out.append(s) }
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Columns `text` takes (one per character; sanitized text holds no control characters).
    public static func width(_ text: String) -> Int { text.count }

    /// `text` cut to at most `width` columns, ending in `…` when cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        if width == 1 { return "…" }
        return String(text.prefix(width - 1)) + "…"
    }

    /// `text` cut to at most `width` columns from the front, starting with `…` when cut.
    public static func truncateFront(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        if width == 1 { return "…" }
        return "…" + String(text.suffix(width - 1))
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }
}
