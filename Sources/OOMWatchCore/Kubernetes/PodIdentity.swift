/// A pod's namespace, name and UID, as kubelet encodes them in the name of the pod's log
/// directory: `/var/log/pods/<namespace>_<name>_<uid>/`.
public struct PodIdentity: Sendable, Hashable, Codable {
    /// The pod's namespace (a DNS label: never contains `_`).
    public var namespace: String
    /// The pod's name (a DNS subdomain: may contain `-` and `.`, never `_`).
    public var name: String
    /// The pod's UID: a UUID with dashes, or 32 hex digits for static pods.
    public var uid: String

    public init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    /// Parses a pod log directory name, `<namespace>_<name>_<uid>`; nil when it is not one.
    public static func parse(logDirectoryName: some StringProtocol) -> PodIdentity? {
        let parts = logDirectoryName.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && !$0.contains("/") }) else { return nil }
        guard let uid = normalizedUID(parts[2]) else { return nil }
        return PodIdentity(namespace: String(parts[0]), name: String(parts[1]), uid: uid)
    }

    /// Finds the pod log directory in a log file path such as
    /// `/var/log/pods/kube-system_coredns-5d78c9869d-6lx9c_8a1c…/coredns/0.log` (a
    /// `/var/log/containers` symlink target); nil when no component is a pod directory name.
    public static func parse(logPath: some StringProtocol) -> PodIdentity? {
        let components = logPath.split(separator: "/")
        // The pod directory sits two levels above the log file: <pod dir>/<container>/<n>.log.
        guard components.count >= 3 else { return nil }
        return parse(logDirectoryName: components[components.count - 3])
    }

    /// A pod UID in its canonical form: lower-case hex and dashes. The systemd cgroup driver writes
    /// UIDs with `_` instead of `-` (`pod8a1c_…`): those are accepted and converted.
    public static func normalizedUID(_ text: some StringProtocol) -> String? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var hexDigits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
                hexDigits += 1
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                result.unicodeScalars.append(Unicode.Scalar(byte + 32))
                hexDigits += 1
            case UInt8(ascii: "-"), UInt8(ascii: "_"):
                result.append("-")
            default:
                return nil
            }
        }
        return hexDigits >= 8 ? result : nil
    }
}

/// A container's identity as kubelet encodes it in a `/var/log/containers` file name:
/// `<pod>_<namespace>_<container>-<64 hex container id>.log`.
public struct ContainerLogName: Sendable, Hashable, Codable {
    /// The pod's name.
    public var podName: String
    /// The pod's namespace.
    public var namespace: String
    /// The container's name (a DNS label: may contain `-`).
    public var containerName: String
    /// The full 64-hex-digit container ID, lower case.
    public var containerID: String

    public init(podName: String, namespace: String, containerName: String, containerID: String) {
        self.podName = podName
        self.namespace = namespace
        self.containerName = containerName
        self.containerID = containerID
    }

    /// Parses a `/var/log/containers` file name; nil when it is not one.
    public static func parse(fileName: some StringProtocol) -> ContainerLogName? {
        let name = Substring(fileName)
        guard name.hasSuffix(".log") else { return nil }
        let stem = name.dropLast(4)
        // The ID is the last 64 characters, preceded by '-'.
        guard stem.utf8.count > 65 else { return nil }
        let idStart = stem.utf8.index(stem.utf8.endIndex, offsetBy: -64)
        let dash = stem.utf8.index(before: idStart)
        guard stem.utf8[dash] == UInt8(ascii: "-") else { return nil }
        guard let id = ContainerID.normalized(Substring(stem.utf8[idStart...])), id.count == 64 else { return nil }
        let prefix = Substring(stem.utf8[..<dash])
        let parts = prefix.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && !$0.contains("/") }) else { return nil }
        return ContainerLogName(podName: String(parts[0]), namespace: String(parts[1]), containerName: String(parts[2]), containerID: id)
    }
}

/// Container IDs as runtimes print them: 64 hex digits, or the 12-digit short form.
public enum ContainerID {
    /// The number of hex digits in a full container ID.
    public static let fullLength = 64
    /// The number of hex digits in a short container ID (`docker ps`, `crictl ps`).
    public static let shortLength = 12

    /// The ID in lower case when it is a full (64) or short (12) hex container ID, else nil.
    /// A runtime prefix such as `containerd://`, `docker://` or `cri-o://` is removed first.
    public static func normalized(_ text: some StringProtocol) -> String? {
        var body = Substring(text)
        if let scheme = body.firstRange(of: "://") { body = body[scheme.upperBound...] }
        let count = body.utf8.count
        guard count == fullLength || count == shortLength else { return nil }
        var result = ""
        result.reserveCapacity(count)
        for byte in body.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                result.unicodeScalars.append(Unicode.Scalar(byte + 32))
            default:
                return nil
            }
        }
        return result
    }
}
