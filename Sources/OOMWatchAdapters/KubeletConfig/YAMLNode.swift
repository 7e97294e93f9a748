/// A YAML node as composed from a parser's events: scalars keep their text and whether they were written
/// plain (only plain scalars are nulls and booleans, as in YAML 1.1 and kubelet's decoder).
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    /// Entries in document order (duplicate keys are kept; lookups take the first).
    case mapping([YAMLMappingEntry])

    /// The scalar, nil for a sequence or a mapping.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = self { scalar } else { nil }
    }

    /// The items, nil unless a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = self { items } else { nil }
    }

    /// The entries, nil unless a mapping.
    public var mapping: [YAMLMappingEntry]? {
        if case .mapping(let entries) = self { entries } else { nil }
    }

    /// The value of the first entry whose key is the scalar `key`; nil when absent or not a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// `~`, `null`, `Null`, `NULL`, an empty plain scalar, or a `!!null` tag.
    public var isNull: Bool {
        guard let scalar else { return false }
        if scalar.tag == YAMLScalar.nullTag { return true }
        return scalar.tag == nil && scalar.isPlain && YAMLScalar.nullWords.contains(scalar.text)
    }

    /// A plain YAML 1.1 boolean (`true`, `yes`, `on`, … in the three usual casings) or a `!!bool`; nil otherwise.
    public var bool: Bool? {
        guard let scalar, scalar.isPlain || scalar.tag == YAMLScalar.boolTag else { return nil }
        if YAMLScalar.trueWords.contains(scalar.text) { return true }
        if YAMLScalar.falseWords.contains(scalar.text) { return false }
        return nil
    }
}

/// A scalar's text, its style and its explicit tag if any.
public struct YAMLScalar: Sendable, Equatable {
    public var text: String
    /// Written without quotes or block indicators.
    public var isPlain: Bool
    /// The resolved explicit tag (`tag:yaml.org,2002:str` for `!!str`), nil when untagged.
    public var tag: String?

    public init(_ text: String, isPlain: Bool = true, tag: String? = nil) {
        self.text = text
        self.isPlain = isPlain
        self.tag = tag
    }

    static let nullTag = "tag:yaml.org,2002:null"
    static let boolTag = "tag:yaml.org,2002:bool"
    static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    static let trueWords: Set<String> = ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"]
    static let falseWords: Set<String> = ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"]
}

/// One key and its value in a mapping.
public struct YAMLMappingEntry: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
