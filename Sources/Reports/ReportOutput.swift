import Documents
import FoundationEssentials

/// A report's bytes handed to a writer in pieces of about `pieceSize`, so that no format is ever whole
/// in memory (at 10,000 pods the four formats built whole added 95 MB to the scan), with the escaping
/// the formats need written straight into the piece.
struct ReportOutput {
    static let pieceSize = 1 << 16

    private var bytes: [UInt8] = []
    private let sink: (Data) throws -> Void

    /// Runs `body` with an output that hands its pieces to `write`, and hands over the rest at the end.
    static func writing(to write: (Data) throws -> Void, _ body: (inout ReportOutput) throws -> Void) throws {
        try withoutActuallyEscaping(write) { write in
            var output = ReportOutput(sink: write)
            try body(&output)
            try output.flush()
        }
    }

    /// The bytes `body` writes, at once: for the renderers' whole-document API.
    static func collected(_ body: (inout ReportOutput) throws -> Void) rethrows -> Data {
        var data = Data()
        var output = ReportOutput { data.append($0) }
        try body(&output)
        // Appending to `data` cannot fail.
        try? output.flush()
        return data
    }

    private init(sink: @escaping (Data) throws -> Void) {
        self.sink = sink
        bytes.reserveCapacity(Self.pieceSize + Self.pieceSize / 4)
    }

    /// Hands the piece to the writer once it is full; the renderers call it between their elements.
    mutating func checkpoint() throws {
        if bytes.count >= Self.pieceSize { try flush() }
    }

    private mutating func flush() throws {
        guard !bytes.isEmpty else { return }
        try sink(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }

    mutating func append(_ number: Int) { append(String(number)) }

    /// A JSON string as `JSONEncoder` writes it (the reports' bytes must not change); `inScript` for the
    /// HTML page's data (`JSONStringLiteral`).
    mutating func jsonString(_ text: String, inScript: Bool = false) {
        JSONStringLiteral.append(text, to: &bytes, inScript: inScript)
    }

    /// `"key":` then a JSON string: a member of a compact object.
    mutating func jsonMember(_ key: String, _ value: String) {
        jsonString(key)
        bytes.append(UInt8(ascii: ":"))
        jsonString(value)
    }

    /// A compact object of string members in the order given (the encoder's: sorted), leaving out nil ones.
    mutating func jsonObject(_ members: KeyValuePairs<String, String?>) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for case let (key, value?) in members {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            jsonMember(key, value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Text as XML and HTML take it (`Markup.escape`).
    mutating func markup(_ text: String) { Markup.escape(text, into: &bytes) }
}
