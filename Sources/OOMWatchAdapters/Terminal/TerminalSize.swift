import Glibc

/// The width the terminal commands format for.
public enum TerminalSize {
    /// The default when neither `COLUMNS` nor the terminal says.
    public static let defaultColumns = 100

    /// `COLUMNS` when it is a positive number, else the width of the terminal on standard output
    /// (`TIOCGWINSZ`), else 100. At least 20.
    public static func columns(environment: [String: String]) -> Int {
        if let text = environment["COLUMNS"], let value = Int(text), value > 0 { return max(20, value) }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(20, Int(size.ws_col)) }
        return defaultColumns
    }

    /// Whether standard output is a terminal (the watch mode clears the screen only then).
    public static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}
