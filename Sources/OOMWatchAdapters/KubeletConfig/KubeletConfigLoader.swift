import OOMWatchCore

/// Why a kubelet configuration file could not be used.
public enum KubeletConfigLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file exists but could not be read.
    case unreadable(path: String, errno: Int32)
    /// The file is not valid YAML.
    case malformedYAML(path: String, detail: String)
    /// The file is YAML but not a KubeletConfiguration (not a mapping, or another `kind`).
    case notAKubeletConfiguration(path: String, detail: String)
    /// A field has the wrong shape (e.g. `systemReserved` is not a mapping).
    case invalidField(path: String, field: String, detail: String)
    /// A value could not be interpreted (e.g. `systemReserved.memory: 5Gx`).
    case invalidValue(path: String, error: KubeletConfigurationError)

    public var description: String {
        switch self {
        case .unreadable(let path, let errno): "cannot read kubelet configuration \(path): \(FileReadError(path: path, errno: errno).description)"
        case .malformedYAML(let path, let detail): "kubelet configuration \(path) is not valid YAML: \(detail)"
        case .notAKubeletConfiguration(let path, let detail): "\(path) is not a kubelet configuration: \(detail)"
        case .invalidField(let path, let field, let detail): "kubelet configuration \(path): field \(field): \(detail)"
        case .invalidValue(let path, let error): "kubelet configuration \(path): \(error)"
        }
    }
}

/// Reads kubelet's configuration file (`/var/lib/kubelet/config.yaml` by default, YAML
/// `kind: KubeletConfiguration`). A missing file means "no kubelet on this host": not an error.
public struct KubeletConfigLoader: Sendable {
    /// Where kubeadm and most distributions put the file.
    public static let defaultPath = "/var/lib/kubelet/config.yaml"
    /// The largest file read (kubelet configurations are a few KiB).
    public static let maximumFileSize = 1 << 20

    /// The file's path.
    public let path: String

    public init(path: String = KubeletConfigLoader.defaultPath) {
        self.path = path
    }

    /// The settings in the file; nil when the file (or its directory) does not exist.
    public func loadSettings() throws(KubeletConfigLoadError) -> KubeletSettings? {
        let bytes: [UInt8]
        do {
            bytes = try SmallFile.read(path, limit: Self.maximumFileSize)
        } catch {
            if error.isNotFound { return nil }
            throw .unreadable(path: path, errno: error.errno)
        }
        return try Self.settings(fromYAML: String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// The interpreted configuration: the file's settings with `flags` applied over them (flags win).
    /// nil when there is no file and no flags.
    public func load(flags: KubeletFlags? = nil) throws(KubeletConfigLoadError) -> KubeletConfiguration? {
        let file = try loadSettings()
        guard file != nil || flags != nil else { return nil }
        do {
            return try KubeletConfiguration.resolve(file: file, flags: flags?.overrides)
        } catch {
            throw .invalidValue(path: path, error: error)
        }
    }

    /// Extracts the settings oomwatch reads from the text of a kubelet configuration file.
    /// Fields it does not read are ignored; an empty document gives empty settings.
    public static func settings(fromYAML yaml: String, path: String) throws(KubeletConfigLoadError) -> KubeletSettings {
        let root: YAMLNode?
        do {
            root = try YAMLComposer.compose(yaml)
        } catch {
            throw .malformedYAML(path: path, detail: Self.shortDetail(error))
        }
        guard let root, !root.isNull else { return KubeletSettings() }
        guard root.mapping != nil else {
            throw .notAKubeletConfiguration(path: path, detail: "the document is not a mapping")
        }
        if let kind = root["kind"]?.scalar?.text, kind != "KubeletConfiguration" {
            throw .notAKubeletConfiguration(path: path, detail: "kind is \(kind)")
        }
        var settings = KubeletSettings()
        settings.enforceNodeAllocatable = try stringList(root["enforceNodeAllocatable"], field: "enforceNodeAllocatable", path: path)
        settings.systemReserved = try stringMap(root["systemReserved"], field: "systemReserved", path: path)
        settings.kubeReserved = try stringMap(root["kubeReserved"], field: "kubeReserved", path: path)
        settings.systemReservedCgroup = try string(root["systemReservedCgroup"], field: "systemReservedCgroup", path: path)
        settings.kubeReservedCgroup = try string(root["kubeReservedCgroup"], field: "kubeReservedCgroup", path: path)
        settings.evictionHard = try stringMap(root["evictionHard"], field: "evictionHard", path: path)
        settings.cgroupDriver = try string(root["cgroupDriver"], field: "cgroupDriver", path: path)
        if let node = root["failSwapOn"], !node.isNull {
            guard let value = node.bool else { throw .invalidField(path: path, field: "failSwapOn", detail: "not a boolean") }
            settings.failSwapOn = value
        }
        if let memorySwap = root["memorySwap"], !memorySwap.isNull {
            guard memorySwap.mapping != nil else {
                throw .invalidField(path: path, field: "memorySwap", detail: "not a mapping")
            }
            settings.swapBehavior = try string(memorySwap["swapBehavior"], field: "memorySwap.swapBehavior", path: path)
        }
        return settings
    }

    private static func string(_ node: YAMLNode?, field: String, path: String) throws(KubeletConfigLoadError) -> String? {
        guard let node, !node.isNull else { return nil }
        guard let scalar = node.scalar else { throw .invalidField(path: path, field: field, detail: "not a string") }
        return scalar.text
    }

    private static func stringList(_ node: YAMLNode?, field: String, path: String) throws(KubeletConfigLoadError) -> [String]? {
        guard let node, !node.isNull else { return nil }
        if let scalar = node.scalar {
            // Tolerate `pods,system-reserved` written as one string.
            return scalar.text.split(separator: ",").map { String($0).filter { $0 != " " } }.filter { !$0.isEmpty }
        }
        guard let sequence = node.sequence else { throw .invalidField(path: path, field: field, detail: "not a list") }
        var values: [String] = []
        for item in sequence {
            guard let scalar = item.scalar else { throw .invalidField(path: path, field: field, detail: "list item is not a string") }
            values.append(scalar.text)
        }
        return values
    }

    private static func stringMap(_ node: YAMLNode?, field: String, path: String) throws(KubeletConfigLoadError) -> [String: String]? {
        guard let node, !node.isNull else { return nil }
        guard let mapping = node.mapping else { throw .invalidField(path: path, field: field, detail: "not a mapping") }
        var values: [String: String] = [:]
        for entry in mapping {
            guard let keyText = entry.key.scalar?.text, let valueText = entry.value.scalar?.text else {
                throw .invalidField(path: path, field: field, detail: "entries must be name: quantity")
            }
            values[keyText] = valueText
        }
        return values
    }

    /// The parser's message, at most 300 characters.
    private static func shortDetail(_ error: YAMLSyntaxError) -> String {
        let text = error.description
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
