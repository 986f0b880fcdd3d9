import FoundationEssentials

extension ScanReport {
    /// Findings encoded at a time while streaming: enough that the encoder's set-up cost vanishes, few
    /// enough that a chunk stays a few hundred kilobytes.
    static let streamChunk = 256

    /// The JSON report handed to `write` in pieces, together byte for byte what `jsonData()` returns,
    /// without the whole document ever in memory (at 10,000 pods it was 19 MB on top of the report).
    ///
    /// The report without its findings is encoded whole (its size depends on the catalogue, not the
    /// cluster) and the findings are spliced in where it holds the empty array, in chunks encoded by
    /// the same encoder and indented one level deeper, as the encoder would have indented them.
    public func writeJSON(_ write: (Data) throws -> Void) throws {
        var head = self
        head.findings = []
        let whole = try head.jsonData()
        let empty = Data("\n  \"findings\" : [\n\n  ]".utf8)
        guard !findings.isEmpty, let splice = whole.firstRange(of: empty) else { return try write(whole) }
        try write(whole[..<splice.lowerBound] + Data("\n  \"findings\" : [\n".utf8))
        let encoder = Self.jsonEncoder()
        for start in stride(from: 0, to: findings.count, by: Self.streamChunk) {
            // "[\n  {…},\n  {…}\n]": the elements without the brackets, each line two spaces deeper.
            let array = try encoder.encode(Array(findings[start..<min(start + Self.streamChunk, findings.count)]))
            var chunk = Data(capacity: array.count + array.count / 16)
            if start > 0 { chunk.append(contentsOf: ",\n".utf8) }
            // JSON strings hold no raw newline, so every newline starts a line of the document.
            var first = true
            for line in array.dropFirst(2).dropLast(2).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if !first { chunk.append(UInt8(ascii: "\n")) }
                first = false
                // The encoder leaves the inside of an empty array an empty line, unindented.
                if !line.isEmpty { chunk.append(contentsOf: "  ".utf8) }
                chunk.append(contentsOf: line)
            }
            try write(chunk)
        }
        try write(Data("\n  ]".utf8) + whole[splice.upperBound...])
    }
}
