/// The memory-related settings found on a kubelet command line (`/proc/<pid>/cmdline`),
/// ready to be applied over the configuration file (`KubeletConfiguration.resolve(file:flags:)`).
public struct KubeletFlags: Sendable, Hashable, Codable {
    /// `--config`: the path of kubelet's configuration file, when given.
    public var configPath: String?
    /// The settings the command line sets.
    public var overrides: KubeletSettings
    /// Arguments that name a flag oomwatch reads but whose value could not be understood
    /// (e.g. `--system-reserved=memory`), verbatim, so they are reported rather than lost.
    public var malformed: [String]

    public init(configPath: String? = nil, overrides: KubeletSettings = KubeletSettings(), malformed: [String] = []) {
        self.configPath = configPath
        self.overrides = overrides
        self.malformed = malformed
    }

    /// Boolean flags that take no separate value argument (`--fail-swap-on` alone means true).
    private static let booleanFlags: Set<String> = ["fail-swap-on"]
    /// Flags that take a value, of those oomwatch reads.
    private static let valueFlags: Set<String> = [
        "config", "system-reserved", "kube-reserved", "system-reserved-cgroup", "kube-reserved-cgroup",
        "enforce-node-allocatable", "eviction-hard", "cgroup-driver",
    ]

    /// Parses a kubelet argv (argv[0] included or not). Accepts `--flag=value`, `--flag value`
    /// and `-flag=value`; ignores flags oomwatch does not read. A later flag wins over an earlier one.
    public static func parse(_ arguments: [String]) -> KubeletFlags {
        var result = KubeletFlags()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" { break }
            guard argument.hasPrefix("-") else { continue }
            var body = Substring(argument).dropFirst()
            if body.hasPrefix("-") { body = body.dropFirst() }
            let name: String
            var value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            if booleanFlags.contains(name) {
                switch value?.lowercased() {
                case nil, "true", "1", "t": result.overrides.failSwapOn = true
                case "false", "0", "f": result.overrides.failSwapOn = false
                default: result.malformed.append(argument)
                }
                continue
            }
            guard valueFlags.contains(name) else { continue }
            if value == nil {
                guard index < arguments.count else {
                    result.malformed.append(argument)
                    continue
                }
                value = arguments[index]
                index += 1
            }
            guard let value else { continue }
            result.apply(name: name, value: value, argument: argument)
        }
        return result
    }

    private mutating func apply(name: String, value: String, argument: String) {
        switch name {
        case "config":
            configPath = value
        case "system-reserved":
            if let map = Self.keyValueMap(value, separator: "=") { overrides.systemReserved = map } else { malformed.append(argument) }
        case "kube-reserved":
            if let map = Self.keyValueMap(value, separator: "=") { overrides.kubeReserved = map } else { malformed.append(argument) }
        case "system-reserved-cgroup":
            overrides.systemReservedCgroup = value
        case "kube-reserved-cgroup":
            overrides.kubeReservedCgroup = value
        case "enforce-node-allocatable":
            overrides.enforceNodeAllocatable = value.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
        case "eviction-hard":
            if let map = Self.keyValueMap(value, separator: "<") { overrides.evictionHard = map } else { malformed.append(argument) }
        case "cgroup-driver":
            overrides.cgroupDriver = value
        default:
            break
        }
    }

    /// `memory=1Gi,cpu=500m` → `["memory": "1Gi", "cpu": "500m"]`; nil when an item has no separator.
    /// An empty value is an empty map (kubelet accepts `--eviction-hard=` to disable eviction).
    static func keyValueMap(_ text: String, separator: Character) -> [String: String]? {
        var map: [String: String] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let position = item.firstIndex(of: separator) else { return nil }
            let key = item[..<position].filter { $0 != " " }
            let value = item[item.index(after: position)...].filter { $0 != " " }
            guard !key.isEmpty else { return nil }
            map[String(key)] = String(value)
        }
        return map
    }
}
