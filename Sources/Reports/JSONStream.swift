import Audit
import FoundationEssentials

extension ScanReport {
    /// The JSON report handed to `write` in pieces, together byte for byte what `jsonData()` returns,
    /// without the whole document ever in memory (at 10,000 pods it was 19 MB on top of the report).
    ///
    /// The report without its findings is encoded whole (its size depends on the catalogue, not the
    /// cluster) and the findings are written in where it holds the empty array, by hand as the encoder
    /// would have written them: at 10,000 pods the encoder's trees of the findings cost more CPU than
    /// every other format together.
    public func writeJSON(_ write: (Data) throws -> Void) throws {
        var head = self
        head.findings = []
        let whole = try head.jsonData()
        guard !findings.isEmpty, let splice = Self.firstRange(of: Array("\n  \"findings\" : [\n\n  ]".utf8), in: whole) else {
            return try write(whole)
        }
        try ReportOutput.writing(to: write) { out in
            out.append(whole[..<splice.lowerBound])
            out.append("\n  \"findings\" : [")
            // Encoded on every core a window of batches at a time, written in order: the same bytes as one
            // finding after another, with at most a window in memory.
            let batches = stride(from: 0, to: findings.count, by: Self.findingsPerBatch).map {
                $0..<min($0 + Self.findingsPerBatch, findings.count)
            }
            for window in stride(from: 0, to: batches.count, by: Self.batchesPerWindow) {
                let encoded = batches[window..<min(window + Self.batchesPerWindow, batches.count)].concurrentMap { batch in
                    ReportOutput.collected { out in
                        for index in batch {
                            out.append(index == 0 ? "\n" : ",\n")
                            findings[index].writeJSON(to: &out)
                        }
                    }
                }
                for piece in encoded {
                    out.append(piece)
                    try out.checkpoint()
                }
            }
            out.append("\n  ]")
            out.append(whole[splice.upperBound...])
        }
    }
}

extension ScanReport {
    /// Where `pattern` first occurs in `data`, compared byte by byte in place: `Data.firstRange(of:)`
    /// went through generic indices and took longer than encoding the whole head it searched.
    static func firstRange(of pattern: [UInt8], in data: Data) -> Range<Int>? {
        data.withUnsafeBytes { bytes -> Range<Int>? in
            guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
            var start = 0
            while start <= bytes.count - pattern.count {
                if bytes[start] == first, pattern.indices.allSatisfy({ bytes[start + $0] == pattern[$0] }) {
                    return (data.startIndex + start)..<(data.startIndex + start + pattern.count)
                }
                start += 1
            }
            return nil
        }
    }

    /// About 50 KB of JSON a batch; a window of them is what the encoding holds beyond the report.
    static let findingsPerBatch = 64
    static let batchesPerWindow = 16
}

extension ScanReport.FindingEntry {
    /// An element of the report's `findings`, as `JSONEncoder` writes it pretty printed with sorted keys
    /// (`JSONStreamTests` hold the two to the same bytes).
    func writeJSON(to out: inout ReportOutput) {
        out.append("    {")
        var object = PrettyObject(indent: 6)
        if let baseline { object.member("baseline", baseline.rawValue, to: &out) }
        object.member("controlID", controlID, to: &out)
        object.key("evidence", to: &out)
        PrettyObject.array(evidence, indent: 6, to: &out) { evidence, out in out.jsonString(evidence) }
        if let exception { object.member("exception", exception, to: &out) }
        object.member("fingerprint", fingerprint, to: &out)
        object.member("message", message, to: &out)
        object.key("related", to: &out)
        PrettyObject.array(related, indent: 6, to: &out) { related, out in
            out.append("{")
            var object = PrettyObject(indent: 10)
            object.member("kind", related.kind, to: &out)
            object.member("name", related.name, to: &out)
            if let namespace = related.namespace { object.member("namespace", namespace, to: &out) }
            object.close(to: &out)
        }
        object.member("remediation", remediation, to: &out)
        object.key("resource", to: &out)
        out.append("{")
        var resource = PrettyObject(indent: 8)
        resource.member("apiVersion", self.resource.apiVersion, to: &out)
        resource.member("kind", self.resource.kind, to: &out)
        resource.member("name", self.resource.name, to: &out)
        if let namespace = self.resource.namespace { resource.member("namespace", namespace, to: &out) }
        resource.close(to: &out)
        object.member("severity", severity.rawValue, to: &out)
        object.member("status", status, to: &out)
        object.close(to: &out)
    }
}

/// The members of an object pretty printed as `JSONEncoder` prints them: each on its own line,
/// indented two spaces per level, `"key" : value`.
struct PrettyObject {
    /// The members' indentation; the closing brace goes two spaces less.
    var indent: Int
    private var first = true

    init(indent: Int) { self.indent = indent }

    mutating func key(_ key: String, to out: inout ReportOutput) {
        out.append(first ? "\n" : ",\n")
        first = false
        out.append(String(repeating: " ", count: indent))
        out.jsonString(key)
        out.append(" : ")
    }

    mutating func member(_ key: String, _ value: String, to out: inout ReportOutput) {
        self.key(key, to: &out)
        out.jsonString(value)
    }

    func close(to out: inout ReportOutput) {
        // The encoder writes an empty object as `{` and `}` around an empty line.
        out.append(first ? "\n\n" : "\n")
        out.append(String(repeating: " ", count: indent - 2))
        out.append("}")
    }

    /// An array whose brackets sit at `indent`, its elements a level deeper.
    static func array<Element>(
        _ elements: [Element], indent: Int, to out: inout ReportOutput, _ element: (Element, inout ReportOutput) -> Void
    ) {
        out.append("[")
        for (index, value) in elements.enumerated() {
            out.append(index == 0 ? "\n" : ",\n")
            out.append(String(repeating: " ", count: indent + 2))
            element(value, &out)
        }
        // An empty array is `[` and `]` around an empty line, as in `close`.
        out.append(elements.isEmpty ? "\n\n" : "\n")
        out.append(String(repeating: " ", count: indent))
        out.append("]")
    }
}
