/// One node of a parsed YAML document, with aliases already replaced by the nodes they name and
/// merge keys (`<<`) already expanded, so readers never see either.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        /// Pairs in document order. Pairs brought in by a merge key come first, and duplicate keys are
        /// kept: every lookup takes the last pair, which is how PyYAML (and kubectl) resolve them.
        case mapping([YAMLPair])
    }

    public enum ScalarStyle: Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var content: Content
    /// The explicit tag with its handle expanded (`!!str` becomes `tag:yaml.org,2002:str`), `!` for the
    /// non-specific tag, nil when the document gave none.
    public var tag: String?
    /// Where the node starts, including its anchor or tag when it has one.
    public var mark: YAMLMark
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

extension YAMLNode {
    /// The text of a scalar; nil for collections and for scalars that resolve to null.
    public var string: String? {
        guard case .scalar(let text, _) = content, !isNull else { return nil }
        return text
    }

    /// True for `~`, `null`, `Null`, `NULL` and empty plain scalars, and for anything tagged `!!null`.
    public var isNull: Bool {
        guard case .scalar(let text, let style) = content else { return false }
        if let tag { return tag == YAMLTag.null }
        return style == .plain && YAMLScalar.isNull(text)
    }

    /// The value of the last pair whose key is a scalar with exactly this text.
    public subscript(key: String) -> YAMLNode? {
        pairs?.last { pair in
            if case .scalar(let text, _) = pair.key.content { return text == key }
            return false
        }?.value
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// Short name of the node's kind for error messages.
    var kindDescription: String {
        switch content {
        case .scalar: "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }
}

/// The tags of the YAML type repository that change how a node is read.
enum YAMLTag {
    static let prefix = "tag:yaml.org,2002:"
    static let string = prefix + "str"
    static let int = prefix + "int"
    static let float = prefix + "float"
    static let bool = prefix + "bool"
    static let null = prefix + "null"
    static let merge = prefix + "merge"
    static let sequence = prefix + "seq"
    static let mapping = prefix + "map"
    static let nonSpecific = "!"
}
