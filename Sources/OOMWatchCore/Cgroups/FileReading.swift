/// The outcome of reading and parsing one cgroup file.
public enum FileReading<Value: Sendable>: Sendable {
    /// Read and parsed.
    case value(Value)
    /// The file does not exist (normal for optional files).
    case missing
    /// The file exists but could not be read or parsed.
    case unreadable

    /// The value, if any.
    public var value: Value? {
        if case .value(let v) = self { return v }
        return nil
    }
}
