public enum YAML {
    /// All documents of a stream. An empty stream has no documents.
    public static func parseDocuments(_ text: String, file: String? = nil) throws(YAMLError) -> [YAMLNode] {
        var parser = try YAMLParser(text, file: file)
        return try parser.parseStream()
    }
}

/// Builds nodes from tokens by recursive descent, following the grammar of PyYAML's parser and
/// composer (anchors, aliases, merge keys and tag checks happen here too).
struct YAMLParser {
    /// Deep enough for any real configuration, shallow enough that the recursion cannot exhaust the
    /// stack of a secondary thread, even in a debug build.
    static let maximumDepth = 256
    /// Aliases are copies of their anchored node; without a limit a few lines ("billion laughs")
    /// expand to more nodes than memory holds when the document is resolved.
    static let maximumAliasExpansion = 1_000_000
    /// The same for bytes: one alias of a 1 MB scalar copies 1 MB, so the node count alone lets a few
    /// kilobytes of aliases expand to gigabytes.
    static let maximumAliasBytes = 32 << 20

    private var scanner: YAMLScanner
    private let file: String?
    private var tagHandles: [String: String] = [:]
    private var anchors: [String: Anchor] = [:]
    private var depth = 0
    /// Nodes created so far in the document, counting each alias as the size of what it copies.
    private var nodeCount = 0
    private var aliasExpansion = 0
    /// Scalar bytes (plus one per node) so far, counting aliases the same way.
    private var byteCount = 0
    private var aliasBytes = 0

    private enum Anchor {
        /// The anchored node is still being parsed: an alias to it would be recursive.
        case open
        case complete(YAMLNode, nodes: Int, bytes: Int)
    }

    private static let defaultTagHandles = ["!": "!", "!!": YAMLTag.prefix]

    init(_ text: String, file: String?) throws(YAMLError) {
        scanner = try YAMLScanner(text, file: file)
        self.file = file
    }

    mutating func parseStream() throws(YAMLError) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        // Only the first document may omit the '---'.
        switch try scanner.peekToken().kind {
        case .versionDirective, .tagDirective, .reservedDirective, .documentStart, .streamEnd:
            break
        default:
            startDocument(tagHandles: Self.defaultTagHandles)
            documents.append(try parseNode(block: true))
            try skipDocumentEnd()
        }
        while true {
            while case .documentEnd = try scanner.peekToken().kind {
                _ = try scanner.nextToken()
            }
            if case .streamEnd = try scanner.peekToken().kind {
                return documents
            }
            startDocument(tagHandles: try parseDirectives())
            let start = try scanner.nextToken()
            guard case .documentStart = start.kind else {
                throw error("expected a document start ('---'), but found \(start.kind.description)", at: start.start)
            }
            let next = try scanner.peekToken()
            switch next.kind {
            case .versionDirective, .tagDirective, .reservedDirective, .documentStart, .documentEnd, .streamEnd:
                documents.append(emptyScalar(at: next.start))
            default:
                documents.append(try parseNode(block: true))
            }
            try skipDocumentEnd()
        }
    }

    private mutating func startDocument(tagHandles: [String: String]) {
        self.tagHandles = tagHandles
        anchors = [:]
        nodeCount = 0
        aliasExpansion = 0
        byteCount = 0
        aliasBytes = 0
    }

    private mutating func skipDocumentEnd() throws(YAMLError) {
        if case .documentEnd = try scanner.peekToken().kind {
            _ = try scanner.nextToken()
        }
    }

    /// `%YAML` is checked and otherwise ignored (PyYAML also reads 1.2 documents with 1.1 rules);
    /// `%TAG` handles apply to the document that follows.
    private mutating func parseDirectives() throws(YAMLError) -> [String: String] {
        var handles: [String: String] = [:]
        var sawVersion = false
        while true {
            let token = try scanner.peekToken()
            switch token.kind {
            case .versionDirective(let major, _):
                guard !sawVersion else { throw error("found a second %YAML directive", at: token.start) }
                guard major == 1 else {
                    throw error("found an incompatible YAML document (version 1.x is required)", at: token.start)
                }
                sawVersion = true
            case .tagDirective(let handle, let prefix):
                guard handles[handle] == nil else {
                    throw error("found a second %TAG directive for the handle '\(handle)'", at: token.start)
                }
                handles[handle] = prefix
            case .reservedDirective:
                break
            default:
                return handles.merging(Self.defaultTagHandles) { explicit, _ in explicit }
            }
            _ = try scanner.nextToken()
        }
    }

    // MARK: Nodes

    /// A node with its optional anchor and tag. `indentlessSequence` allows a `- ` sequence at the
    /// same indentation as its mapping key, as in `containers:\n- name: x`.
    private mutating func parseNode(block: Bool, indentlessSequence: Bool = false) throws(YAMLError) -> YAMLNode {
        let first = try scanner.peekToken()
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw error("the document nests collections more than \(Self.maximumDepth) levels deep", at: first.start)
        }
        if case .alias(let name) = first.kind {
            _ = try scanner.nextToken()
            return try resolveAlias(name, at: first.start)
        }

        var anchor: String?
        var tag: String?
        var token = first
        while true {
            if case .anchor(let name) = token.kind, anchor == nil {
                anchor = name
            } else if case .tag(let handle, let suffix) = token.kind, tag == nil {
                tag = try expandTag(handle: handle, suffix: suffix, at: token.start)
            } else {
                break
            }
            _ = try scanner.nextToken()
            token = try scanner.peekToken()
        }
        if let anchor {
            anchors[anchor] = .open
        }
        let start = first.start
        let sizeBefore = (nodes: nodeCount, bytes: byteCount)

        let node: YAMLNode
        switch token.kind {
        case .blockEntry where indentlessSequence:
            node = try parseIndentlessSequence(tag: tag, start: start)
        case .scalar(let text, let style):
            _ = try scanner.nextToken()
            byteCount += text.utf8.count
            node = YAMLNode(content: .scalar(text, style), tag: tag, mark: start)
        case .flowSequenceStart:
            node = try parseFlowSequence(tag: tag, start: start)
        case .flowMappingStart:
            node = try parseFlowMapping(tag: tag, start: start)
        case .blockSequenceStart where block:
            node = try parseBlockSequence(tag: tag, start: start)
        case .blockMappingStart where block:
            node = try parseBlockMapping(tag: tag, start: start)
        default:
            // Properties with nothing after them (`key: !!str`) describe an empty scalar.
            guard anchor != nil || tag != nil else {
                throw error("expected a value, but found \(token.kind.description)", at: token.start)
            }
            node = YAMLNode(content: .scalar("", .plain), tag: tag, mark: start)
        }
        try checkTag(of: node)
        nodeCount += 1
        byteCount += 1
        if let anchor, case .open? = anchors[anchor] {
            // A nested node that reused the name took it over, as the spec's "most recent" rule says.
            anchors[anchor] = .complete(node, nodes: nodeCount - sizeBefore.nodes, bytes: byteCount - sizeBefore.bytes)
        }
        return node
    }

    private mutating func resolveAlias(_ name: String, at mark: YAMLMark) throws(YAMLError) -> YAMLNode {
        switch anchors[name] {
        case nil:
            throw error("found undefined alias '\(name)'", at: mark)
        case .open?:
            throw error("alias '\(name)' refers to a node that contains it; recursive structures are not supported",
                        at: mark)
        case .complete(let node, let nodes, let bytes)?:
            aliasExpansion += nodes
            nodeCount += nodes
            aliasBytes += bytes
            byteCount += bytes
            guard aliasExpansion <= Self.maximumAliasExpansion else {
                throw error("aliases expand this document to more than \(Self.maximumAliasExpansion) nodes", at: mark)
            }
            guard aliasBytes <= Self.maximumAliasBytes else {
                throw error("aliases expand this document by more than \(Self.maximumAliasBytes >> 20) MiB", at: mark)
            }
            return node
        }
    }

    private func expandTag(handle: String?, suffix: String, at mark: YAMLMark) throws(YAMLError) -> String {
        guard let handle else { return suffix }
        guard let prefix = tagHandles[handle] else {
            throw error("found undefined tag handle '\(handle)'", at: mark)
        }
        return prefix + suffix
    }

    /// The core schema tags must fit the node they are on, so that resolution never has to guess.
    private func checkTag(of node: YAMLNode) throws(YAMLError) {
        guard let fullTag = node.tag else { return }
        let tag = fullTag.hasPrefix(YAMLTag.prefix) ? "!!" + fullTag.dropFirst(YAMLTag.prefix.count) : fullTag
        let expectsScalar = [YAMLTag.string, YAMLTag.int, YAMLTag.float, YAMLTag.bool, YAMLTag.null].contains(fullTag)
        switch node.content {
        case .scalar(let text, let style):
            if fullTag == YAMLTag.sequence || fullTag == YAMLTag.mapping {
                throw error("the tag \(tag) needs a \(fullTag == YAMLTag.sequence ? "sequence" : "mapping"), but found a scalar",
                            at: node.mark)
            }
            if YAMLScalar.resolve(text, style: style, tag: fullTag) == nil {
                throw error("'\(text)' is not a valid value for the tag \(tag)", at: node.mark)
            }
        case .sequence where expectsScalar || fullTag == YAMLTag.mapping,
             .mapping where expectsScalar || fullTag == YAMLTag.sequence:
            throw error("the tag \(tag) does not fit \(node.kindDescription)", at: node.mark)
        case .sequence, .mapping:
            break
        }
    }

    private func emptyScalar(at mark: YAMLMark) -> YAMLNode {
        YAMLNode(content: .scalar("", .plain), tag: nil, mark: mark)
    }

    // MARK: Block collections

    private mutating func parseBlockSequence(tag: String?, start: YAMLMark) throws(YAMLError) -> YAMLNode {
        _ = try scanner.nextToken()
        var items: [YAMLNode] = []
        while true {
            let token = try scanner.nextToken()
            switch token.kind {
            case .blockEntry:
                items.append(try parseBlockEntryContent(after: token))
            case .blockEnd:
                return YAMLNode(content: .sequence(items), tag: tag, mark: start)
            default:
                throw error("expected a '- ' sequence entry or less indentation, but found \(token.kind.description)",
                            at: token.start)
            }
        }
    }

    private mutating func parseIndentlessSequence(tag: String?, start: YAMLMark) throws(YAMLError) -> YAMLNode {
        var items: [YAMLNode] = []
        while case .blockEntry = try scanner.peekToken().kind {
            let entry = try scanner.nextToken()
            switch try scanner.peekToken().kind {
            case .key, .value, .blockEnd:
                items.append(emptyScalar(at: entry.end))
            default:
                items.append(try parseBlockEntryContent(after: entry))
            }
        }
        return YAMLNode(content: .sequence(items), tag: tag, mark: start)
    }

    private mutating func parseBlockEntryContent(after entry: YAMLToken) throws(YAMLError) -> YAMLNode {
        switch try scanner.peekToken().kind {
        case .blockEntry, .blockEnd:
            return emptyScalar(at: entry.end)
        default:
            return try parseNode(block: true)
        }
    }

    private mutating func parseBlockMapping(tag: String?, start: YAMLMark) throws(YAMLError) -> YAMLNode {
        _ = try scanner.nextToken()
        var pairs: [YAMLPair] = []
        while true {
            let token = try scanner.nextToken()
            switch token.kind {
            case .key:
                let key = try parseBlockMappingPart(after: token)
                let value: YAMLNode
                if case .value = try scanner.peekToken().kind {
                    value = try parseBlockMappingPart(after: try scanner.nextToken())
                } else {
                    value = emptyScalar(at: try scanner.peekToken().start)
                }
                pairs.append(try pair(key, value))
            case .blockEnd:
                return try mapping(pairs, tag: tag, start: start)
            default:
                throw error("expected a mapping key or less indentation, but found \(token.kind.description)",
                            at: token.start)
            }
        }
    }

    /// The key after `?` or the value after `:`; empty when the next token ends the part.
    private mutating func parseBlockMappingPart(after indicator: YAMLToken) throws(YAMLError) -> YAMLNode {
        switch try scanner.peekToken().kind {
        case .key, .value, .blockEnd:
            return emptyScalar(at: indicator.end)
        default:
            return try parseNode(block: true, indentlessSequence: true)
        }
    }

    // MARK: Flow collections

    private mutating func parseFlowSequence(tag: String?, start: YAMLMark) throws(YAMLError) -> YAMLNode {
        _ = try scanner.nextToken()
        var items: [YAMLNode] = []
        while true {
            if try closeFlowCollection(isMapping: false, isFirst: items.isEmpty, start: start) {
                return YAMLNode(content: .sequence(items), tag: tag, mark: start)
            }
            let token = try scanner.peekToken()
            if case .key = token.kind {
                // `[? key : value]` and `[key: value]` hold a single-pair mapping.
                _ = try scanner.nextToken()
                let pair = try parseFlowPair(after: token, isMapping: false)
                items.append(try mapping([pair], tag: nil, start: token.start))
            } else {
                items.append(try parseNode(block: false))
            }
        }
    }

    private mutating func parseFlowMapping(tag: String?, start: YAMLMark) throws(YAMLError) -> YAMLNode {
        _ = try scanner.nextToken()
        var pairs: [YAMLPair] = []
        while true {
            if try closeFlowCollection(isMapping: true, isFirst: pairs.isEmpty, start: start) {
                return try mapping(pairs, tag: tag, start: start)
            }
            let token = try scanner.peekToken()
            if case .key = token.kind {
                _ = try scanner.nextToken()
                pairs.append(try parseFlowPair(after: token, isMapping: true))
            } else {
                // `{a, b}`: entries without ':' have null values.
                let key = try parseNode(block: false)
                pairs.append(try pair(key, emptyScalar(at: try scanner.peekToken().start)))
            }
        }
    }

    /// Consumes the ',' between entries, then the closing bracket if it follows; true when closed.
    private mutating func closeFlowCollection(isMapping: Bool, isFirst: Bool, start: YAMLMark) throws(YAMLError) -> Bool {
        let closing = isMapping ? "}" : "]"
        var token = try scanner.peekToken()
        if !isFirst && !isFlowEnd(token.kind, isMapping: isMapping) {
            guard case .flowEntry = token.kind else {
                throw error("expected ',' or '\(closing)' in the flow \(isMapping ? "mapping" : "sequence") that starts at \(start.line):\(start.column), but found \(token.kind.description)",
                            at: token.start)
            }
            _ = try scanner.nextToken()
            token = try scanner.peekToken()
        }
        guard isFlowEnd(token.kind, isMapping: isMapping) else { return false }
        _ = try scanner.nextToken()
        return true
    }

    private func isFlowEnd(_ kind: YAMLToken.Kind, isMapping: Bool) -> Bool {
        switch kind {
        case .flowMappingEnd: isMapping
        case .flowSequenceEnd: !isMapping
        default: false
        }
    }

    /// The rest of a flow pair after its KEY token.
    private mutating func parseFlowPair(after keyToken: YAMLToken, isMapping: Bool) throws(YAMLError) -> YAMLPair {
        let key: YAMLNode
        if endsFlowPairPart(try scanner.peekToken().kind, isMapping: isMapping, orValue: true) {
            key = emptyScalar(at: keyToken.end)
        } else {
            key = try parseNode(block: false)
        }
        let value: YAMLNode
        let next = try scanner.peekToken()
        if case .value = next.kind {
            _ = try scanner.nextToken()
            if endsFlowPairPart(try scanner.peekToken().kind, isMapping: isMapping, orValue: false) {
                value = emptyScalar(at: next.end)
            } else {
                value = try parseNode(block: false)
            }
        } else {
            value = emptyScalar(at: next.start)
        }
        return try pair(key, value)
    }

    private func endsFlowPairPart(_ kind: YAMLToken.Kind, isMapping: Bool, orValue: Bool) -> Bool {
        switch kind {
        case .value: orValue
        case .flowEntry: true
        default: isFlowEnd(kind, isMapping: isMapping)
        }
    }

    // MARK: Mappings

    private func pair(_ key: YAMLNode, _ value: YAMLNode) throws(YAMLError) -> YAMLPair {
        guard case .scalar = key.content else {
            throw error("complex mapping keys are not supported: a key must be a scalar, but found \(key.kindDescription)",
                        at: key.mark)
        }
        return YAMLPair(key: key, value: value)
    }

    /// Expands merge keys (`<<: *base` or `<<: [*a, *b]`) the way PyYAML does: merged pairs go first,
    /// earlier mappings in a list win over later ones, and the mapping's own pairs win over all.
    private func mapping(_ pairs: [YAMLPair], tag: String?, start: YAMLMark) throws(YAMLError) -> YAMLNode {
        guard pairs.contains(where: { isMergeKey($0.key) }) else {
            return YAMLNode(content: .mapping(pairs), tag: tag, mark: start)
        }
        var merged: [YAMLPair] = []
        var own: [YAMLPair] = []
        for pair in pairs {
            guard isMergeKey(pair.key) else {
                own.append(pair)
                continue
            }
            switch pair.value.content {
            case .mapping(let mergedPairs):
                merged.append(contentsOf: mergedPairs)
            case .sequence(let sources):
                var collected: [YAMLPair] = []
                for source in sources.reversed() {
                    guard case .mapping(let sourcePairs) = source.content else {
                        throw error("a merge key ('<<') list may only hold mappings, but found \(source.kindDescription)",
                                    at: source.mark)
                    }
                    collected.append(contentsOf: sourcePairs)
                }
                merged.append(contentsOf: collected)
            case .scalar:
                throw error("a merge key ('<<') needs a mapping or a list of mappings, but found a scalar",
                            at: pair.value.mark)
            }
        }
        return YAMLNode(content: .mapping(merged + own), tag: tag, mark: start)
    }

    private func isMergeKey(_ key: YAMLNode) -> Bool {
        guard case .scalar("<<", let style) = key.content else { return false }
        return key.tag == YAMLTag.merge || (key.tag == nil && style == .plain)
    }

    private func error(_ message: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(message, at: mark, file: file)
    }
}
