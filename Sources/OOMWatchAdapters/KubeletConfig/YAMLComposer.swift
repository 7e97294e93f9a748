import CYAML

/// Why a text is not the single YAML document expected: libyaml's problem and where it was found
/// (1-based line and column).
public struct YAMLSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problem: String
    public var line: Int
    public var column: Int
    /// What the parser was reading (libyaml's context, e.g. "while parsing a block mapping").
    public var context: String?

    public init(problem: String, line: Int, column: Int, context: String? = nil) {
        self.problem = problem
        self.line = line
        self.column = column
        self.context = context
    }

    public var description: String {
        "\(problem) at line \(line), column \(column)" + (context.map { " (\($0))" } ?? "")
    }
}

/// Composes a YAML text into `YAMLNode`s with libyaml's event parser. Oomwatch reads one YAML file, kubelet's
/// configuration; libyaml is used directly rather than through a Swift YAML package because the one
/// available (Yams) needs the whole of Foundation, whose ICU tables and runtime state cost the daemon
/// resident memory on every node (see README, Performance).
public enum YAMLComposer {
    /// The deepest nesting of collections accepted. Nodes are freed and compared recursively, so a hostile
    /// file of a million `[` must be refused rather than composed; configurations nest a few levels.
    public static let maximumDepth = 256

    /// The single document in `text`; nil when the text holds no document (empty or only comments).
    /// Anchors and aliases are resolved; more than one document, or nesting deeper than `maximumDepth`,
    /// is an error.
    public static func compose(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }  // libyaml needs a non-null input pointer
        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLSyntaxError) -> YAMLNode? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw YAMLSyntaxError(problem: "cannot initialise the YAML parser (out of memory)", line: 0, column: 0)
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var composer = EventComposer()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser) }
                defer { yaml_event_delete(&event) }
                if try composer.take(event) { break }
            }
            return composer.document
        }
    }

    private static func parserError(_ parser: yaml_parser_t) -> YAMLSyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        return YAMLSyntaxError(problem: problem, line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1, context: context)
    }
}

/// Builds nodes from the event stream with an explicit stack, up to `YAMLComposer.maximumDepth` levels.
private struct EventComposer {
    /// A collection being filled; mutated in place at the top of the stack.
    private struct Open {
        let isMapping: Bool
        let anchor: String?
        var items: [YAMLNode] = []
        var entries: [YAMLMappingEntry] = []
        var pendingKey: YAMLNode?
        /// The depth of the deepest node placed in it so far (a scalar is 0).
        var childDepth = 0
    }

    private var open: [Open] = []
    private var anchors: [String: (node: YAMLNode, depth: Int)] = [:]
    private var documents = 0
    private(set) var document: YAMLNode?

    /// Takes one event; true at the end of the stream.
    mutating func take(_ event: yaml_event_t) throws(YAMLSyntaxError) -> Bool {
        let mark = event.start_mark
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 { throw error("expected a single document, found another", mark) }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let node = YAMLNode.scalar(YAMLScalar(text, isPlain: data.style == YAML_PLAIN_SCALAR_STYLE, tag: Self.text(data.tag)))
            place(node, depth: 0, anchor: Self.text(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else { throw error("found undefined alias *\(name)", mark) }
            place(anchored.node, depth: anchored.depth, anchor: nil)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard open.count < YAMLComposer.maximumDepth else {
                throw error("collections nested deeper than \(YAMLComposer.maximumDepth) levels", mark)
            }
            open.append(event.type == YAML_MAPPING_START_EVENT
                ? Open(isMapping: true, anchor: Self.text(event.data.mapping_start.anchor))
                : Open(isMapping: false, anchor: Self.text(event.data.sequence_start.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let closing = open.popLast() else { throw error("unbalanced collection end", mark) }
            // Aliases can deepen a node without deepening the text (`&b [*a]`): checked here too.
            guard closing.childDepth < YAMLComposer.maximumDepth else {
                throw error("collections nested deeper than \(YAMLComposer.maximumDepth) levels", mark)
            }
            place(closing.isMapping ? .mapping(closing.entries) : .sequence(closing.items), depth: closing.childDepth + 1, anchor: closing.anchor)
        default:
            break  // stream start, document end: nothing to build
        }
        return false
    }

    private mutating func place(_ node: YAMLNode, depth: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (node, depth) }
        guard !open.isEmpty else {
            document = node
            return
        }
        let top = open.count - 1
        open[top].childDepth = max(open[top].childDepth, depth)
        if !open[top].isMapping {
            open[top].items.append(node)
        } else if let key = open[top].pendingKey {
            open[top].entries.append(YAMLMappingEntry(key: key, value: node))
            open[top].pendingKey = nil
        } else {
            open[top].pendingKey = node
        }
    }

    private func error(_ problem: String, _ mark: yaml_mark_t) -> YAMLSyntaxError {
        YAMLSyntaxError(problem: problem, line: mark.line + 1, column: mark.column + 1)
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}
