import OOMWatchCore

/// Finds the kubelet configuration in force on this host: the configuration file (an explicit
/// path, else the running kubelet's `--config`, else the default path) with the running kubelet's
/// command-line flags applied over it.
public struct KubeletDiscovery: Sendable {
    /// What was found.
    public struct Result: Sendable, Hashable {
        /// The configuration in force; nil when there is no kubelet on this host.
        public var configuration: KubeletConfiguration?
        /// The configuration file that was read (or looked for).
        public var configPath: String
        /// Whether that file exists.
        public var configFileFound: Bool
        /// The running kubelet's pid, when one was found.
        public var kubeletPID: Int32?
        /// kubelet arguments oomwatch reads but could not understand.
        public var malformedFlags: [String]
    }

    /// `--kubelet-config`: the file to read instead of discovering it.
    public let explicitConfigPath: String?
    /// The proc filesystem to look for the kubelet in.
    public let procRoot: String
    /// Prefix for paths taken from the kubelet's command line (`/host` when the host's root is mounted there).
    public let hostRoot: String

    public init(explicitConfigPath: String? = nil, procRoot: String = "/proc", hostRoot: String = "") {
        self.explicitConfigPath = explicitConfigPath
        self.procRoot = procRoot
        self.hostRoot = hostRoot.hasSuffix("/") ? String(hostRoot.dropLast()) : hostRoot
    }

    /// Looks for the kubelet and its configuration.
    public func discover() throws(KubeletConfigLoadError) -> Result {
        let process = KubeletProcessFinder(procRoot: procRoot).find()
        let path: String
        if let explicitConfigPath {
            path = explicitConfigPath
        } else if let fromFlag = process?.flags.configPath, fromFlag.hasPrefix("/") {
            path = hostRoot + fromFlag
        } else {
            path = hostRoot + KubeletConfigLoader.defaultPath
        }
        let loader = KubeletConfigLoader(path: path)
        let file = try loader.loadSettings()
        var configuration: KubeletConfiguration?
        if file != nil || process != nil {
            do {
                configuration = try KubeletConfiguration.resolve(file: file, flags: process?.flags.overrides)
            } catch {
                throw .invalidValue(path: path, error: error)
            }
        }
        return Result(
            configuration: configuration,
            configPath: path,
            configFileFound: file != nil,
            kubeletPID: process?.pid,
            malformedFlags: process?.flags.malformed ?? []
        )
    }
}
