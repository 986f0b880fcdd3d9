/// A lexical token of a YAML stream.
struct YAMLToken: Sendable {
    enum Kind: Sendable {
        case streamEnd
        case versionDirective(major: Int, minor: Int)
        case tagDirective(handle: String, prefix: String)
        case reservedDirective
        case documentStart, documentEnd
        case blockSequenceStart, blockMappingStart, blockEnd
        case flowSequenceStart, flowMappingStart, flowSequenceEnd, flowMappingEnd
        case blockEntry, flowEntry, key, value
        case alias(String), anchor(String)
        /// `handle` is nil for a verbatim tag (`!<...>`) and for the non-specific tag `!`.
        case tag(handle: String?, suffix: String)
        case scalar(String, YAMLNode.ScalarStyle)
    }

    var kind: Kind
    var start: YAMLMark
    var end: YAMLMark
}

extension YAMLToken.Kind {
    /// How the token reads in an error message.
    var description: String {
        switch self {
        case .streamEnd: "the end of the stream"
        case .versionDirective, .tagDirective, .reservedDirective: "a directive"
        case .documentStart: "a document start ('---')"
        case .documentEnd: "a document end ('...')"
        case .blockSequenceStart: "the start of a block sequence"
        case .blockMappingStart: "the start of a block mapping"
        case .blockEnd: "the end of an indented block"
        case .flowSequenceStart: "'['"
        case .flowMappingStart: "'{'"
        case .flowSequenceEnd: "']'"
        case .flowMappingEnd: "'}'"
        case .blockEntry: "'-'"
        case .flowEntry: "','"
        case .key: "a mapping key"
        case .value: "':'"
        case .alias: "an alias"
        case .anchor: "an anchor"
        case .tag: "a tag"
        case .scalar: "a scalar"
        }
    }
}

/// Turns YAML text into tokens, one at a time, on demand.
///
/// The structure follows PyYAML's scanner so that the two agree on the many corner cases the spec
/// leaves to implementations: in block context indentation opens and closes collections (emitted as
/// BLOCK-*-START / BLOCK-END tokens), and a "simple key" (`key: value`) is only recognised as a key
/// when its `:` shows up, so a KEY token is inserted back in the queue at that point.
///
/// Deliberate differences from PyYAML, all of which accept input PyYAML rejects: tabs are allowed as
/// separation inside a line and inside plain scalars (YAML 1.2 allows both; PyYAML refuses every
/// tab outside quotes), `?` may appear inside plain scalars in flow context, and a tag may be directly
/// followed by `,`, `]` or `}` in flow context. Only LF and CR are line breaks (YAML 1.2).
struct YAMLScanner {
    private let bytes: [UInt8]
    private let file: String?
    private var index = 0
    private var line = 1
    /// 0-based and counted in Unicode scalars, like PyYAML, because indentation is compared in columns.
    private var column = 0

    private var done = false
    /// The number of unclosed `[` and `{`; 0 means block context.
    private var flowLevel = 0
    /// Tokens scanned but not yet handed out, from `queueHead` on.
    private var queue: [YAMLToken] = []
    private var queueHead = 0
    private var tokensTaken = 0

    /// The column of the innermost block collection, -1 outside any.
    private var indent = -1
    private var indents: [Int] = []

    /// Whether a simple key may start here: at the start of a line in block context, and after
    /// `[`, `{`, `,` in flow context and `?`, `:`, `-` in block context. In block context it also says
    /// whether a block collection may start here.
    private var allowSimpleKey = true
    /// At most one candidate simple key per flow level, indexed by flow level.
    private var simpleKeys: [SimpleKey?] = [nil]
    private var simpleKeyCount = 0
    private var staleCheckIndex = -1

    private struct SimpleKey {
        var tokenNumber: Int
        /// A key at the indentation of the block mapping it belongs to must find its `:`.
        var required: Bool
        var line: Int
        var column: Int
        var mark: YAMLMark
    }

    /// The YAML spec limits implicit keys to 1024 characters; the limit also bounds how far ahead
    /// the scanner reads before it can hand out a token.
    private static let maximumSimpleKeyLength = 1024

    init(_ text: String, file: String?) throws(YAMLError) {
        bytes = Array(text.utf8)
        self.file = file
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
        }
        try rejectNonPrintableCharacters()
    }

    // MARK: Token queue

    mutating func peekToken() throws(YAMLError) -> YAMLToken {
        while try needMoreTokens() {
            try fetchMoreTokens()
        }
        return queue[queueHead]
    }

    /// Returns and consumes the next token. The stream end token is never consumed, so callers can
    /// keep asking without running off the end.
    mutating func nextToken() throws(YAMLError) -> YAMLToken {
        let token = try peekToken()
        if case .streamEnd = token.kind { return token }
        queueHead += 1
        tokensTaken += 1
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        return token
    }

    private var pendingTokenCount: Int { queue.count - queueHead }

    private mutating func needMoreTokens() throws(YAMLError) -> Bool {
        if done { return false }
        if pendingTokenCount == 0 { return true }
        // The next token may still turn out to be a simple key; only its ':' can tell.
        try removeStaleSimpleKeys()
        return nextPossibleSimpleKeyNumber == tokensTaken
    }

    private mutating func fetchMoreTokens() throws(YAMLError) {
        try scanToNextToken()
        try removeStaleSimpleKeys()
        unwindIndent(to: column)

        let ch = peek()
        switch ch {
        case 0 where index >= bytes.count:
            try fetchStreamEnd()
        case UInt8(ascii: "%") where column == 0:
            try fetchDirective()
        case UInt8(ascii: "-") where isAtDocumentIndicator(ch):
            try fetchDocumentIndicator(.documentStart)
        case UInt8(ascii: "."):
            if isAtDocumentIndicator(ch) {
                try fetchDocumentIndicator(.documentEnd)
            } else {
                try fetchPlainOrFail()
            }
        case UInt8(ascii: "["):
            try fetchFlowCollectionStart(.flowSequenceStart)
        case UInt8(ascii: "{"):
            try fetchFlowCollectionStart(.flowMappingStart)
        case UInt8(ascii: "]"):
            try fetchFlowCollectionEnd(.flowSequenceEnd)
        case UInt8(ascii: "}"):
            try fetchFlowCollectionEnd(.flowMappingEnd)
        case UInt8(ascii: ","):
            try fetchFlowEntry()
        case UInt8(ascii: "-") where Self.isBlankOrBreakOrEnd(peek(1)):
            try fetchBlockEntry()
        case UInt8(ascii: "?") where flowLevel > 0 || Self.isBlankOrBreakOrEnd(peek(1)):
            try fetchKey()
        case UInt8(ascii: ":") where flowLevel > 0 || Self.isBlankOrBreakOrEnd(peek(1)):
            try fetchValue()
        case UInt8(ascii: "*"):
            try fetchAnchorOrAlias(isAlias: true)
        case UInt8(ascii: "&"):
            try fetchAnchorOrAlias(isAlias: false)
        case UInt8(ascii: "!"):
            try savePossibleSimpleKey()
            allowSimpleKey = false
            append(try scanTag())
        case UInt8(ascii: "|") where flowLevel == 0:
            try fetchBlockScalar(folded: false)
        case UInt8(ascii: ">") where flowLevel == 0:
            try fetchBlockScalar(folded: true)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            try savePossibleSimpleKey()
            allowSimpleKey = false
            append(try scanQuotedScalar(double: ch == UInt8(ascii: "\"")))
        default:
            try fetchPlainOrFail()
        }
    }

    private mutating func append(_ token: YAMLToken) {
        queue.append(token)
    }

    private mutating func append(_ kind: YAMLToken.Kind, from start: YAMLMark) {
        queue.append(YAMLToken(kind: kind, start: start, end: mark))
    }

    /// Emits a one-character indicator token.
    private mutating func appendIndicator(_ kind: YAMLToken.Kind) {
        let start = mark
        forward()
        append(kind, from: start)
    }

    // MARK: Simple keys

    private var nextPossibleSimpleKeyNumber: Int? {
        guard simpleKeyCount > 0 else { return nil }
        return simpleKeys.lazy.compactMap { $0?.tokenNumber }.min()
    }

    /// A candidate key stops being one when its line ends or it grows too long.
    private mutating func removeStaleSimpleKeys() throws(YAMLError) {
        // The parser peeks many times per token; staleness only changes when the position does.
        guard simpleKeyCount > 0, index != staleCheckIndex else { return }
        staleCheckIndex = index
        for level in simpleKeys.indices {
            guard let key = simpleKeys[level] else { continue }
            if key.line != line || column - key.column > Self.maximumSimpleKeyLength {
                if key.required {
                    throw missingColonError(key)
                }
                simpleKeys[level] = nil
                simpleKeyCount -= 1
            }
        }
    }

    /// Called for every token that may start a simple key: alias, anchor, tag, flow scalar, `[`, `{`.
    private mutating func savePossibleSimpleKey() throws(YAMLError) {
        guard allowSimpleKey else { return }
        try removePossibleSimpleKey()
        simpleKeys[flowLevel] = SimpleKey(
            tokenNumber: tokensTaken + pendingTokenCount,
            required: flowLevel == 0 && indent == column,
            line: line, column: column, mark: mark)
        simpleKeyCount += 1
    }

    private mutating func removePossibleSimpleKey() throws(YAMLError) {
        guard let key = simpleKeys[flowLevel] else { return }
        if key.required {
            throw missingColonError(key)
        }
        simpleKeys[flowLevel] = nil
        simpleKeyCount -= 1
    }

    private func missingColonError(_ key: SimpleKey) -> YAMLError {
        YAMLError("could not find expected ':' after this mapping key", at: key.mark, file: file)
    }

    // MARK: Indentation

    /// Closes the block collections indented deeper than `column`. Indentation means nothing inside
    /// flow collections.
    private mutating func unwindIndent(to column: Int) {
        guard flowLevel == 0 else { return }
        while indent > column {
            let here = mark
            indent = indents.popLast() ?? -1
            queue.append(YAMLToken(kind: .blockEnd, start: here, end: here))
        }
    }

    /// Opens a block collection at `column` if it is deeper than the current one.
    private mutating func addIndent(_ column: Int) -> Bool {
        guard indent < column else { return false }
        indents.append(indent)
        indent = column
        return true
    }

    // MARK: Fetchers

    private mutating func fetchStreamEnd() throws(YAMLError) {
        unwindIndent(to: -1)
        try removePossibleSimpleKey()
        allowSimpleKey = false
        simpleKeys = simpleKeys.map { _ in nil }
        simpleKeyCount = 0
        let here = mark
        queue.append(YAMLToken(kind: .streamEnd, start: here, end: here))
        done = true
    }

    private mutating func fetchDirective() throws(YAMLError) {
        unwindIndent(to: -1)
        try removePossibleSimpleKey()
        allowSimpleKey = false
        append(try scanDirective())
    }

    private mutating func fetchDocumentIndicator(_ kind: YAMLToken.Kind) throws(YAMLError) {
        unwindIndent(to: -1)
        try removePossibleSimpleKey()
        allowSimpleKey = false
        let start = mark
        forward(3)
        append(kind, from: start)
    }

    private mutating func fetchFlowCollectionStart(_ kind: YAMLToken.Kind) throws(YAMLError) {
        try savePossibleSimpleKey()
        flowLevel += 1
        if simpleKeys.count <= flowLevel {
            simpleKeys.append(nil)
        }
        allowSimpleKey = true
        appendIndicator(kind)
    }

    private mutating func fetchFlowCollectionEnd(_ kind: YAMLToken.Kind) throws(YAMLError) {
        guard flowLevel > 0 else {
            throw YAMLError("found '\(Character(Unicode.Scalar(peek())))' without a matching opening bracket",
                            at: mark, file: file)
        }
        try removePossibleSimpleKey()
        flowLevel -= 1
        allowSimpleKey = false
        appendIndicator(kind)
    }

    private mutating func fetchFlowEntry() throws(YAMLError) {
        allowSimpleKey = true
        try removePossibleSimpleKey()
        appendIndicator(.flowEntry)
    }

    private mutating func fetchBlockEntry() throws(YAMLError) {
        // In flow context a '-' entry is an error the parser reports with better context.
        if flowLevel == 0 {
            guard allowSimpleKey else {
                throw YAMLError("sequence entries are not allowed here", at: mark, file: file)
            }
            if addIndent(column) {
                let here = mark
                queue.append(YAMLToken(kind: .blockSequenceStart, start: here, end: here))
            }
        }
        allowSimpleKey = true
        try removePossibleSimpleKey()
        appendIndicator(.blockEntry)
    }

    private mutating func fetchKey() throws(YAMLError) {
        if flowLevel == 0 {
            guard allowSimpleKey else {
                throw YAMLError("mapping keys are not allowed here", at: mark, file: file)
            }
            if addIndent(column) {
                let here = mark
                queue.append(YAMLToken(kind: .blockMappingStart, start: here, end: here))
            }
        }
        allowSimpleKey = flowLevel == 0
        try removePossibleSimpleKey()
        appendIndicator(.key)
    }

    private mutating func fetchValue() throws(YAMLError) {
        if let key = simpleKeys[flowLevel] {
            // The candidate was a key after all: insert KEY (and maybe BLOCK-MAPPING-START) before it.
            simpleKeys[flowLevel] = nil
            simpleKeyCount -= 1
            let position = queueHead + key.tokenNumber - tokensTaken
            queue.insert(YAMLToken(kind: .key, start: key.mark, end: key.mark), at: position)
            if flowLevel == 0 && addIndent(key.column) {
                queue.insert(YAMLToken(kind: .blockMappingStart, start: key.mark, end: key.mark), at: position)
            }
            allowSimpleKey = false
        } else {
            if flowLevel == 0 {
                guard allowSimpleKey else {
                    throw YAMLError("mapping values are not allowed here", at: mark, file: file)
                }
                if addIndent(column) {
                    let here = mark
                    queue.append(YAMLToken(kind: .blockMappingStart, start: here, end: here))
                }
            }
            allowSimpleKey = flowLevel == 0
            try removePossibleSimpleKey()
        }
        appendIndicator(.value)
    }

    private mutating func fetchAnchorOrAlias(isAlias: Bool) throws(YAMLError) {
        try savePossibleSimpleKey()
        allowSimpleKey = false
        append(try scanAnchor(isAlias: isAlias))
    }

    private mutating func fetchBlockScalar(folded: Bool) throws(YAMLError) {
        // A simple key may follow a block scalar (on the next line).
        allowSimpleKey = true
        try removePossibleSimpleKey()
        append(try scanBlockScalar(folded: folded))
    }

    private mutating func fetchPlainOrFail() throws(YAMLError) {
        guard canStartPlainScalar else {
            throw YAMLError("found \(describeCharacter()) that cannot start any token", at: mark, file: file)
        }
        try savePossibleSimpleKey()
        allowSimpleKey = false
        append(scanPlainScalar())
    }

    // MARK: Checks

    private func isAtDocumentIndicator(_ ch: UInt8) -> Bool {
        column == 0 && peek(1) == ch && peek(2) == ch && Self.isBlankOrBreakOrEnd(peek(3))
    }

    /// A plain scalar may not start with an indicator, except `-`, `?` and `:` followed by a
    /// non-space (`?` and `:` only in block context, so flow context stays space-independent).
    private var canStartPlainScalar: Bool {
        let ch = peek()
        switch ch {
        case 0, UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            return false
        case UInt8(ascii: "-"):
            return !Self.isBlankOrBreakOrEnd(peek(1))
        case UInt8(ascii: "?"), UInt8(ascii: ":"):
            return flowLevel == 0 && !Self.isBlankOrBreakOrEnd(peek(1))
        case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
             UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
             UInt8(ascii: "`"):
            return false
        default:
            return true
        }
    }

    // MARK: Whitespace and comments

    /// Skips spaces, comments and line breaks. A line break in block context allows a simple key.
    private mutating func scanToNextToken() throws(YAMLError) {
        while true {
            // Every position in one run of blanks has the same answer, and asking walks the run: ask
            // once per run, or a line of n tabs costs n² steps.
            var tabIsIndentation: Bool?
            while true {
                let ch = peek()
                if ch == UInt8(ascii: " ") {
                    forward()
                } else if ch == UInt8(ascii: "\t") {
                    if flowLevel == 0 {
                        if tabIsIndentation == nil { tabIsIndentation = isInIndentation && !restOfLineIsBlank }
                        if tabIsIndentation == true {
                            throw YAMLError("found a tab character where indentation is expected", at: mark, file: file)
                        }
                    }
                    forward()
                } else {
                    break
                }
            }
            if peek() == UInt8(ascii: "#") {
                skipToEndOfLine()
            }
            guard consumeLineBreak() else { return }
            if flowLevel == 0 {
                allowSimpleKey = true
            }
        }
    }

    /// Whether only whitespace precedes the current position on its line. Tabs are rare, so walking
    /// back is cheaper than tracking this for every line.
    private var isInIndentation: Bool {
        var i = index - 1
        while i >= 0 {
            switch bytes[i] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"): i -= 1
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return true
            default: return i == 2 && bytes.starts(with: [0xEF, 0xBB, 0xBF])
            }
        }
        return true
    }

    /// Whether the rest of the line holds only whitespace and maybe a comment: tabs are harmless there.
    private var restOfLineIsBlank: Bool {
        var offset = 0
        while peek(offset) == UInt8(ascii: " ") || peek(offset) == UInt8(ascii: "\t") {
            offset += 1
        }
        return peek(offset) == UInt8(ascii: "#") || Self.isBreakOrEnd(peek(offset))
    }

    private mutating func skipToEndOfLine() {
        forward(runLength { !Self.isBreakOrEnd($0) })
    }

    // MARK: Directives

    private mutating func scanDirective() throws(YAMLError) -> YAMLToken {
        let start = mark
        forward()
        let nameLength = runLength(of: Self.isWordCharacter)
        guard nameLength > 0 else {
            throw YAMLError("expected a directive name, but found \(describeCharacter())", at: mark, file: file)
        }
        let name = text(index, index + nameLength)
        forward(nameLength)
        guard Self.isBlankOrBreakOrEnd(peek()) else {
            throw YAMLError("expected a space after the directive name, but found \(describeCharacter())",
                            at: mark, file: file)
        }
        let kind: YAMLToken.Kind
        switch name {
        case "YAML":
            skipSpaces()
            let major = try scanVersionNumber()
            guard peek() == UInt8(ascii: ".") else {
                throw YAMLError("expected '.' in the %YAML version, but found \(describeCharacter())",
                                at: mark, file: file)
            }
            forward()
            let minor = try scanVersionNumber()
            kind = .versionDirective(major: major, minor: minor)
        case "TAG":
            skipSpaces()
            let handle = try scanTagHandle()
            guard Self.isBlank(peek()) else {
                throw YAMLError("expected a space after the %TAG handle, but found \(describeCharacter())",
                                at: mark, file: file)
            }
            skipSpaces()
            let prefix = try scanTagURI(allowingFlowIndicators: true, allowingExclamationMark: true)
            kind = .tagDirective(handle: handle, prefix: prefix)
        default:
            // Reserved directives are ignored, as the spec asks.
            skipToEndOfLine()
            kind = .reservedDirective
        }
        let end = mark
        skipSpaces()
        if peek() == UInt8(ascii: "#") {
            skipToEndOfLine()
        }
        guard Self.isBreakOrEnd(peek()) else {
            throw YAMLError("expected a comment or a line break after the directive, but found \(describeCharacter())",
                            at: mark, file: file)
        }
        _ = consumeLineBreak()
        return YAMLToken(kind: kind, start: start, end: end)
    }

    private mutating func scanVersionNumber() throws(YAMLError) -> Int {
        let length = runLength(of: Self.isDigit)
        guard length > 0, length < 10, let number = Int(text(index, index + length)) else {
            throw YAMLError("expected a version number, but found \(describeCharacter())", at: mark, file: file)
        }
        forward(length)
        return number
    }

    // MARK: Anchors, aliases and tags

    /// Anchor names are limited to letters, digits, `-` and `_` (as in PyYAML and libyaml), so that
    /// `[*a, b]` cannot be read as an alias named `a,`.
    private mutating func scanAnchor(isAlias: Bool) throws(YAMLError) -> YAMLToken {
        let start = mark
        let what = isAlias ? "alias" : "anchor"
        forward()
        let length = runLength(of: Self.isWordCharacter)
        guard length > 0 else {
            throw YAMLError("expected a letter, digit, '-' or '_' in the \(what) name, but found \(describeCharacter())",
                            at: mark, file: file)
        }
        let name = text(index, index + length)
        forward(length)
        switch peek() {
        case 0, UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "?"),
             UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "%"),
             UInt8(ascii: "@"), UInt8(ascii: "`"):
            break
        default:
            throw YAMLError("expected a letter, digit, '-' or '_' in the \(what) name, but found \(describeCharacter())",
                            at: mark, file: file)
        }
        return YAMLToken(kind: isAlias ? .alias(name) : .anchor(name), start: start, end: mark)
    }

    private mutating func scanTag() throws(YAMLError) -> YAMLToken {
        let start = mark
        let handle: String?
        let suffix: String
        if peek(1) == UInt8(ascii: "<") {
            forward(2)
            handle = nil
            suffix = try scanTagURI(allowingFlowIndicators: true, allowingExclamationMark: true)
            guard peek() == UInt8(ascii: ">") else {
                throw YAMLError("expected '>' to close the verbatim tag, but found \(describeCharacter())",
                                at: mark, file: file)
            }
            forward()
        } else if isTagTerminator(peek(1)) {
            forward()
            handle = nil
            suffix = "!"
        } else {
            // `!!suffix`, `!name!suffix` or `!suffix`: the handle is the part up to a second '!'.
            let nameLength = runLength(from: 1, of: Self.isWordCharacter)
            if peek(1 + nameLength) == UInt8(ascii: "!") {
                handle = try scanTagHandle()
            } else {
                handle = "!"
                forward()
            }
            suffix = try scanTagURI(allowingFlowIndicators: false, allowingExclamationMark: false)
        }
        guard isTagTerminator(peek()) else {
            throw YAMLError("expected a space after the tag, but found \(describeCharacter())", at: mark, file: file)
        }
        return YAMLToken(kind: .tag(handle: handle, suffix: suffix), start: start, end: mark)
    }

    private func isTagTerminator(_ ch: UInt8) -> Bool {
        if Self.isBlankOrBreakOrEnd(ch) { return true }
        return flowLevel > 0 && (ch == UInt8(ascii: ",") || ch == UInt8(ascii: "]") || ch == UInt8(ascii: "}"))
    }

    /// `!`, `!!` or `!name!`.
    private mutating func scanTagHandle() throws(YAMLError) -> String {
        guard peek() == UInt8(ascii: "!") else {
            throw YAMLError("expected '!' to start a tag handle, but found \(describeCharacter())", at: mark, file: file)
        }
        let nameLength = runLength(from: 1, of: Self.isWordCharacter)
        var length = 1 + nameLength
        if peek(length) == UInt8(ascii: "!") {
            length += 1
        } else if nameLength > 0 {
            forward(length)
            throw YAMLError("expected '!' to end the tag handle, but found \(describeCharacter())", at: mark, file: file)
        }
        let handle = text(index, index + length)
        forward(length)
        return handle
    }

    /// A tag URI with `%XX` escapes decoded. Flow indicators end a shorthand tag (`[!!str]`), but
    /// may appear in verbatim tags and %TAG prefixes.
    private mutating func scanTagURI(allowingFlowIndicators: Bool,
                                     allowingExclamationMark: Bool) throws(YAMLError) -> String {
        var uri: [UInt8] = []
        while true {
            let ch = peek()
            if ch == UInt8(ascii: "%") {
                let escapeMark = mark
                forward()
                guard Self.isHexDigit(peek()), Self.isHexDigit(peek(1)) else {
                    throw YAMLError("expected two hexadecimal digits after '%' in the tag, but found \(describeCharacter())",
                                    at: mark, file: file)
                }
                uri.append(Self.hexValue(peek()) << 4 | Self.hexValue(peek(1)))
                forward(2)
                guard String(validating: uri, as: UTF8.self) != nil || peek() == UInt8(ascii: "%") else {
                    throw YAMLError("the %-escapes in the tag are not valid UTF-8", at: escapeMark, file: file)
                }
                continue
            }
            guard Self.isURICharacter(ch),
                  allowingFlowIndicators || !Self.isFlowIndicator(ch),
                  allowingExclamationMark || ch != UInt8(ascii: "!") else { break }
            uri.append(ch)
            forward()
        }
        guard !uri.isEmpty else {
            throw YAMLError("expected a tag, but found \(describeCharacter())", at: mark, file: file)
        }
        return String(decoding: uri, as: UTF8.self)
    }

    // MARK: Block scalars

    private enum Chomping { case strip, clip, keep }

    private mutating func scanBlockScalar(folded: Bool) throws(YAMLError) -> YAMLToken {
        let start = mark
        forward()
        let (chomping, increment) = try scanBlockScalarHeader()

        var minimumIndent = indent + 1
        if minimumIndent < 1 {
            minimumIndent = 1
        }
        var breaks: Int
        var end: YAMLMark
        let blockIndent: Int
        if let increment {
            blockIndent = minimumIndent + increment - 1
            (breaks, end) = scanBlockScalarBreaks(indent: blockIndent)
        } else {
            // Auto-detection: the first non-empty line sets the indentation.
            var maximumIndent = 0
            breaks = 0
            end = mark
            while true {
                if peek() == UInt8(ascii: " ") {
                    forward()
                    maximumIndent = max(maximumIndent, column)
                } else if consumeLineBreak() {
                    breaks += 1
                    end = mark
                } else {
                    break
                }
            }
            blockIndent = max(minimumIndent, maximumIndent)
        }

        var content: [UInt8] = []
        var lineBreak = false
        while column == blockIndent && index < bytes.count {
            content.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: breaks))
            let leadingNonSpace = !Self.isBlank(peek())
            let lineStart = index
            skipToEndOfLine()
            content.append(contentsOf: bytes[lineStart..<index])
            lineBreak = consumeLineBreak()
            (breaks, end) = scanBlockScalarBreaks(indent: blockIndent)
            guard column == blockIndent && index < bytes.count else { break }
            // Folding joins lines with a space, except around "more indented" lines and empty lines.
            if folded && lineBreak && leadingNonSpace && !Self.isBlank(peek()) {
                if breaks == 0 {
                    content.append(UInt8(ascii: " "))
                }
            } else if lineBreak {
                content.append(UInt8(ascii: "\n"))
            }
        }
        if chomping != .strip && lineBreak {
            content.append(UInt8(ascii: "\n"))
        }
        if chomping == .keep {
            content.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: breaks))
        }
        let text = String(decoding: content, as: UTF8.self)
        return YAMLToken(kind: .scalar(text, folded ? .folded : .literal), start: start, end: end)
    }

    /// The chomping (`-`, `+`) and indentation (1-9) indicators in either order, then an optional
    /// comment and the line break.
    private mutating func scanBlockScalarHeader() throws(YAMLError) -> (Chomping, Int?) {
        var chomping = Chomping.clip
        var increment: Int?
        for _ in 0..<2 {
            let ch = peek()
            if chomping == .clip && (ch == UInt8(ascii: "+") || ch == UInt8(ascii: "-")) {
                chomping = ch == UInt8(ascii: "+") ? .keep : .strip
                forward()
            } else if increment == nil && Self.isDigit(ch) {
                guard ch != UInt8(ascii: "0") else {
                    throw YAMLError("expected an indentation indicator from 1 to 9, but found 0", at: mark, file: file)
                }
                increment = Int(ch - UInt8(ascii: "0"))
                forward()
            }
        }
        guard Self.isBlankOrBreakOrEnd(peek()) else {
            throw YAMLError("expected chomping or indentation indicators, but found \(describeCharacter())",
                            at: mark, file: file)
        }
        skipBlanks()
        if peek() == UInt8(ascii: "#") {
            skipToEndOfLine()
        }
        guard Self.isBreakOrEnd(peek()) else {
            throw YAMLError("expected a comment or a line break, but found \(describeCharacter())", at: mark, file: file)
        }
        _ = consumeLineBreak()
        return (chomping, increment)
    }

    /// Skips empty lines and the indentation of the next line, counting the line breaks.
    private mutating func scanBlockScalarBreaks(indent: Int) -> (Int, YAMLMark) {
        var breaks = 0
        var end = mark
        while column < indent && peek() == UInt8(ascii: " ") {
            forward()
        }
        while consumeLineBreak() {
            breaks += 1
            end = mark
            while column < indent && peek() == UInt8(ascii: " ") {
                forward()
            }
        }
        return (breaks, end)
    }

    // MARK: Quoted scalars

    /// Quoted scalars are delimited, so like PyYAML we do not check the indentation of their
    /// continuation lines, only that no document marker hides inside.
    private mutating func scanQuotedScalar(double: Bool) throws(YAMLError) -> YAMLToken {
        let start = mark
        let quote = peek()
        forward()
        var content: [UInt8] = []
        try scanQuotedNonSpaces(double: double, into: &content)
        while peek() != quote {
            try scanQuotedSpaces(start: start, quote: quote, into: &content)
            try scanQuotedNonSpaces(double: double, into: &content)
        }
        forward()
        let text = String(decoding: content, as: UTF8.self)
        return YAMLToken(kind: .scalar(text, double ? .doubleQuoted : .singleQuoted), start: start, end: mark)
    }

    private mutating func scanQuotedNonSpaces(double: Bool, into content: inout [UInt8]) throws(YAMLError) {
        while true {
            let runStart = index
            forward(runLength { ch in
                switch ch {
                case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "\\"), 0, UInt8(ascii: " "),
                     UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    return false
                default:
                    return true
                }
            })
            content.append(contentsOf: bytes[runStart..<index])
            let ch = peek()
            if !double && ch == UInt8(ascii: "'") && peek(1) == UInt8(ascii: "'") {
                content.append(ch)
                forward(2)
            } else if double ? ch == UInt8(ascii: "'") : (ch == UInt8(ascii: "\"") || ch == UInt8(ascii: "\\")) {
                content.append(ch)
                forward()
            } else if double && ch == UInt8(ascii: "\\") {
                forward()
                try scanEscape(into: &content)
            } else {
                return
            }
        }
    }

    /// The character after a backslash in a double-quoted scalar.
    private mutating func scanEscape(into content: inout [UInt8]) throws(YAMLError) {
        let ch = peek()
        if let replacement = Self.escapeReplacement(ch) {
            content.append(contentsOf: replacement.utf8)
            forward()
            return
        }
        let digits: Int
        switch ch {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
            // An escaped line break joins the lines without a space.
            _ = consumeLineBreak()
            let breaks = try scanQuotedBreaks()
            content.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: breaks))
            return
        default:
            throw YAMLError("found unknown escape character \(describeCharacter())", at: mark, file: file)
        }
        let escapeMark = YAMLMark(line: line, column: column)
        forward()
        var code = try scanHexCode(digits: digits)
        // JSON writes characters outside the BMP as a UTF-16 surrogate pair; accept that too.
        if digits == 4 && (0xD800...0xDBFF).contains(code)
            && peek() == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "u") {
            forward(2)
            let low = try scanHexCode(digits: 4)
            if (0xDC00...0xDFFF).contains(low) {
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
        }
        guard let scalar = Unicode.Scalar(code) else {
            throw YAMLError("escape sequence is not a valid Unicode character", at: escapeMark, file: file)
        }
        content.append(contentsOf: String(scalar).utf8)
    }

    private mutating func scanHexCode(digits: Int) throws(YAMLError) -> UInt32 {
        var code: UInt32 = 0
        for offset in 0..<digits {
            let ch = peek(offset)
            guard Self.isHexDigit(ch) else {
                forward(offset)
                throw YAMLError("expected an escape sequence of \(digits) hexadecimal digits, but found \(describeCharacter())",
                                at: mark, file: file)
            }
            code = code << 4 | UInt32(Self.hexValue(ch))
        }
        forward(digits)
        return code
    }

    private static func escapeReplacement(_ ch: UInt8) -> String? {
        switch ch {
        case UInt8(ascii: "0"): "\u{0}"
        case UInt8(ascii: "a"): "\u{7}"
        case UInt8(ascii: "b"): "\u{8}"
        case UInt8(ascii: "t"), UInt8(ascii: "\t"): "\t"
        case UInt8(ascii: "n"): "\n"
        case UInt8(ascii: "v"): "\u{B}"
        case UInt8(ascii: "f"): "\u{C}"
        case UInt8(ascii: "r"): "\r"
        case UInt8(ascii: "e"): "\u{1B}"
        case UInt8(ascii: " "): " "
        case UInt8(ascii: "\""): "\""
        case UInt8(ascii: "\\"): "\\"
        case UInt8(ascii: "/"): "/"
        case UInt8(ascii: "N"): "\u{85}"
        case UInt8(ascii: "_"): "\u{A0}"
        case UInt8(ascii: "L"): "\u{2028}"
        case UInt8(ascii: "P"): "\u{2029}"
        default: nil
        }
    }

    /// Whitespace inside a quoted scalar: kept within a line, folded across lines (one line break
    /// becomes a space, n+1 line breaks become n newlines).
    private mutating func scanQuotedSpaces(start: YAMLMark, quote: UInt8,
                                           into content: inout [UInt8]) throws(YAMLError) {
        let runStart = index
        skipBlanks()
        if index >= bytes.count {
            let kind = quote == UInt8(ascii: "'") ? "single" : "double"
            throw YAMLError("found the end of the stream inside a \(kind)-quoted scalar; it needs a closing \(Character(Unicode.Scalar(quote)))",
                            at: start, file: file)
        }
        if consumeLineBreak() {
            let breaks = try scanQuotedBreaks()
            if breaks == 0 {
                content.append(UInt8(ascii: " "))
            } else {
                content.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: breaks))
            }
        } else {
            content.append(contentsOf: bytes[runStart..<index])
        }
    }

    private mutating func scanQuotedBreaks() throws(YAMLError) -> Int {
        var breaks = 0
        while true {
            if isAtDocumentIndicator(UInt8(ascii: "-")) || isAtDocumentIndicator(UInt8(ascii: ".")) {
                throw YAMLError("found a document marker inside a quoted scalar", at: mark, file: file)
            }
            skipBlanks()
            guard consumeLineBreak() else { return breaks }
            breaks += 1
        }
    }

    // MARK: Plain scalars

    private enum PlainSpacing {
        case none
        case inline(Range<Int>)
        case lineFold(breaks: Int)
    }

    /// A plain scalar ends at `: `, ` #`, a line break followed by a less indented line, a document
    /// marker, and in flow context at `,[]{}`. Its lines are folded like a quoted scalar's.
    private mutating func scanPlainScalar() -> YAMLToken {
        let start = mark
        var end = start
        let scalarIndent = indent + 1
        // Most plain scalars are one run of the input; only folded ones need a buffer.
        var firstRun = index..<index
        var runCount = 0
        var content: [UInt8] = []
        var spacing = PlainSpacing.none
        while peek() != UInt8(ascii: "#") {
            var runEnd = 0
            while true {
                let ch = peek(runEnd)
                if Self.isBlankOrBreakOrEnd(ch) { break }
                if ch == UInt8(ascii: ":") {
                    let next = peek(runEnd + 1)
                    if Self.isBlankOrBreakOrEnd(next) || (flowLevel > 0 && Self.isFlowIndicator(next)) { break }
                }
                if flowLevel > 0 && Self.isFlowIndicator(ch) { break }
                runEnd += 1
            }
            guard runEnd > 0 else { break }
            allowSimpleKey = false
            let run = index..<index + runEnd
            if runCount == 0 {
                firstRun = run
            } else {
                if runCount == 1 {
                    content.append(contentsOf: bytes[firstRun])
                }
                switch spacing {
                case .none:
                    break
                case .inline(let whitespace):
                    content.append(contentsOf: bytes[whitespace])
                case .lineFold(let breaks):
                    if breaks == 0 {
                        content.append(UInt8(ascii: " "))
                    } else {
                        content.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: breaks))
                    }
                }
                content.append(contentsOf: bytes[run])
            }
            runCount += 1
            forward(runEnd)
            end = mark
            guard let next = scanPlainSpaces(scalarIndent: scalarIndent) else { break }
            if case .none = next { break }
            if peek() == UInt8(ascii: "#") || (flowLevel == 0 && column < scalarIndent) { break }
            spacing = next
        }
        let text = runCount > 1 ? String(decoding: content, as: UTF8.self) : String(decoding: bytes[firstRun], as: UTF8.self)
        return YAMLToken(kind: .scalar(text, .plain), start: start, end: end)
    }

    /// The whitespace after a run of a plain scalar; nil when a document marker ends the scalar.
    private mutating func scanPlainSpaces(scalarIndent: Int) -> PlainSpacing? {
        let runStart = index
        skipBlanks()
        let runEnd = index
        guard consumeLineBreak() else {
            return runEnd > runStart ? .inline(runStart..<runEnd) : PlainSpacing.none
        }
        allowSimpleKey = true
        var breaks = 0
        while true {
            if isAtDocumentIndicator(UInt8(ascii: "-")) || isAtDocumentIndicator(UInt8(ascii: ".")) {
                return nil
            }
            let ch = peek()
            if ch == UInt8(ascii: " ") || (ch == UInt8(ascii: "\t") && (flowLevel > 0 || column >= scalarIndent)) {
                forward()
            } else if consumeLineBreak() {
                breaks += 1
            } else {
                return .lineFold(breaks: breaks)
            }
        }
    }

    // MARK: Reading

    private func peek(_ offset: Int = 0) -> UInt8 {
        let position = index + offset
        return position < bytes.count ? bytes[position] : 0
    }

    private var mark: YAMLMark { YAMLMark(line: line, column: column + 1) }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Moves over `count` bytes that contain no line break.
    private mutating func forward(_ count: Int = 1) {
        let end = min(index + count, bytes.count)
        while index < end {
            // Continuation bytes do not start a new character.
            if bytes[index] & 0xC0 != 0x80 {
                column += 1
            }
            index += 1
        }
    }

    private mutating func consumeLineBreak() -> Bool {
        switch peek() {
        case UInt8(ascii: "\r"):
            index += peek(1) == UInt8(ascii: "\n") ? 2 : 1
        case UInt8(ascii: "\n"):
            index += 1
        default:
            return false
        }
        line += 1
        column = 0
        return true
    }

    private mutating func skipSpaces() {
        while peek() == UInt8(ascii: " ") {
            forward()
        }
    }

    private mutating func skipBlanks() {
        while Self.isBlank(peek()) {
            forward()
        }
    }

    private func runLength(from offset: Int = 0, of predicate: (UInt8) -> Bool) -> Int {
        var length = 0
        while index + offset + length < bytes.count && predicate(bytes[index + offset + length]) {
            length += 1
        }
        return length
    }

    /// The character at the current position as an error message shows it.
    private func describeCharacter() -> String {
        guard index < bytes.count else { return "the end of the stream" }
        switch bytes[index] {
        case UInt8(ascii: "\t"): return "a tab"
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "a line break"
        case UInt8(ascii: " "): return "a space"
        default:
            let length = runLength(from: 1) { $0 & 0xC0 == 0x80 } + 1
            return "'\(text(index, index + length))'"
        }
    }

    /// YAML streams may only hold printable characters (plus tab and line breaks); rejecting the rest
    /// up front also makes 0 a safe end-of-input sentinel for `peek`.
    private mutating func rejectNonPrintableCharacters() throws(YAMLError) {
        var position = index
        var lineNumber = 1
        var lineStart = 0
        while position < bytes.count {
            let byte = bytes[position]
            var isPrintable = true
            if byte < 0x20 {
                isPrintable = byte == 0x09 || byte == 0x0A || byte == 0x0D
                if byte == 0x0A || (byte == 0x0D && (position + 1 == bytes.count || bytes[position + 1] != 0x0A)) {
                    lineNumber += 1
                    lineStart = position + 1
                }
            } else if byte == 0x7F {
                isPrintable = false
            } else if byte == 0xC2, position + 1 < bytes.count, (0x80...0x9F).contains(bytes[position + 1]) {
                // C1 control characters; NEL (U+0085) is allowed.
                isPrintable = bytes[position + 1] == 0x85
            }
            if !isPrintable {
                let column = bytes[lineStart..<position].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
                let code = String(byte == 0xC2 ? bytes[position + 1] : byte, radix: 16, uppercase: true)
                throw YAMLError("found non-printable character U+\(String(repeating: "0", count: 4 - code.count))\(code)",
                                at: YAMLMark(line: lineNumber, column: column), file: file)
            }
            position += 1
        }
    }

    // MARK: Character classes

    private static func isBlank(_ ch: UInt8) -> Bool {
        ch == UInt8(ascii: " ") || ch == UInt8(ascii: "\t")
    }

    private static func isBreakOrEnd(_ ch: UInt8) -> Bool {
        ch == 0 || ch == UInt8(ascii: "\n") || ch == UInt8(ascii: "\r")
    }

    private static func isBlankOrBreakOrEnd(_ ch: UInt8) -> Bool {
        isBlank(ch) || isBreakOrEnd(ch)
    }

    private static func isFlowIndicator(_ ch: UInt8) -> Bool {
        switch ch {
        case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"): true
        default: false
        }
    }

    private static func isDigit(_ ch: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(ch)
    }

    private static func isHexDigit(_ ch: UInt8) -> Bool {
        isDigit(ch) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(ch | 0x20)
    }

    private static func hexValue(_ ch: UInt8) -> UInt8 {
        isDigit(ch) ? ch - UInt8(ascii: "0") : (ch | 0x20) - UInt8(ascii: "a") + 10
    }

    /// Letters, digits, `-` and `_`: anchor names, directive names and tag handle names.
    private static func isWordCharacter(_ ch: UInt8) -> Bool {
        isDigit(ch) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(ch | 0x20)
            || ch == UInt8(ascii: "-") || ch == UInt8(ascii: "_")
    }

    private static func isURICharacter(_ ch: UInt8) -> Bool {
        if isWordCharacter(ch) { return true }
        switch ch {
        case UInt8(ascii: ";"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "@"),
             UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: ","),
             UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "~"), UInt8(ascii: "*"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }
}
