/// A position in YAML source text. Both numbers are 1-based; the column counts Unicode scalars, so
/// it matches what an editor shows for lines without tabs.
public struct YAMLMark: Sendable, Hashable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A problem in YAML input, located precisely enough for a user to fix the file.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    /// The file the text came from. Settable because JSON conversion of a node happens after parsing,
    /// where only the caller still knows the file name.
    public var file: String?
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String?, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ message: String, at mark: YAMLMark, file: String?) {
        self.init(file: file, line: mark.line, column: mark.column, message: message)
    }

    public var mark: YAMLMark { YAMLMark(line: line, column: column) }

    /// `file:line:column: message`, the shape compilers use, so editors and CI logs link to the spot.
    public var description: String {
        "\(file.map { "\($0):" } ?? "")\(line):\(column): \(message)"
    }
}
