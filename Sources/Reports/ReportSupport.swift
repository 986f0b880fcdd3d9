import Audit

/// Escaping for XML (JUnit) and HTML text and attribute values, shared so that both get the same
/// rules.
enum Markup {
    /// Escapes the five markup characters and replaces the characters XML 1.0 forbids (controls other
    /// than tab, newline and carriage return), which a message copied from a resource could carry and
    /// which would make the whole document unparseable.
    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        escape(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escape`, appended to UTF-8 bytes: the streaming renderers write it straight into their output.
    static func escape(_ text: String, into out: inout [UInt8]) {
        let utf8 = text.utf8
        // Most text has nothing to escape or replace: one scan, one copy.
        // (0xEF leads the UTF-8 of U+FFFE and U+FFFF.)
        guard utf8.contains(where: { $0 < 0x20 || $0 == 0xEF || ($0 < 0x80 && Self.entities[Int($0)] != nil) }) else {
            return out.append(contentsOf: utf8)
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII, let entity = Self.entities[Int(scalar.value)] {
                out.append(contentsOf: entity.utf8)
            } else if isForbidden(scalar) {
                out.append(contentsOf: "\u{FFFD}".utf8)
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
        }
    }

    /// The markup characters' entities, by ASCII code.
    private static let entities: [String?] = (0..<128).map { code in
        switch Unicode.Scalar(UInt8(code)) {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\"": "&quot;"
        case "'": "&#39;"
        default: nil
        }
    }

    /// The same replacement of forbidden characters, for text that is not markup (the HTML page's data).
    static func replacingForbidden(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isForbidden) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(isForbidden(scalar) ? "\u{FFFD}" : scalar) }
        return String(out)
    }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && !["\t", "\n", "\r"].contains(scalar)) || (0xFFFE...0xFFFF).contains(scalar.value)
    }
}

extension ScanReport {
    /// The cluster as reports name it: the kubeconfig context, else the server URL.
    public var clusterName: String { cluster.context ?? cluster.server }

    /// What the scan judged, in words, for the human formats.
    public var sourceDescription: String {
        switch source?.mode {
        case .snapshot?: "a snapshot saved by lookout collect"
        case .manifests?: "manifests (kinds absent from the files are empty)"
        case .cluster?, nil: "the live cluster"
        }
    }

    /// Findings that count against the cluster (not accepted by an exception).
    public var failedFindings: [FindingEntry] { findings.filter { $0.status == "failed" } }

    /// Failed findings per severity, most severe first, every severity present (zero included).
    public var failuresBySeverity: [(severity: Severity, count: Int)] {
        let failed = failedFindings
        return Severity.allCases.reversed().map { severity in (severity, failed.count { $0.severity == severity }) }
    }

    /// Failed findings per namespace, largest first; cluster-scoped resources under "".
    public var failuresByNamespace: [(namespace: String, count: Int)] {
        Dictionary(grouping: failedFindings) { $0.resource.namespace ?? "" }
            .map { (namespace: $0.key, count: $0.value.count) }
            .sorted { ($1.count, $0.namespace) < ($0.count, $1.namespace) }
    }

    /// Controls ordered for people: failed first, then by severity (critical first), then by ID.
    var controlsBySeverity: [ControlEntry] {
        func rank(_ status: ControlStatus) -> Int {
            switch status {
            case .failed: 0
            case .passed: 1
            case .notApplicable: 2
            case .skipped: 3
            }
        }
        return controls.sorted {
            (rank($0.status), $1.severity, $0.id) < (rank($1.status), $0.severity, $1.id)
        }
    }
}

/// Numbers as text without Foundation's formatters (they need ICU).
public enum NumberText {
    /// At most two decimals, no trailing zeros: 12, 12.5, 12.25.
    public static func decimal(_ value: Double) -> String {
        guard let hundredths = scaled(value, by: 100) else { return outOfRange(value) }
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        guard fraction != 0 else { return "\(sign)\(magnitude / 100)" }
        let digits = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(sign)\(magnitude / 100).\(digits)"
    }

    /// One decimal and a percent sign: 87.5%; "n/a" for a score that does not apply.
    public static func percent(_ value: Double?) -> String {
        guard let value else { return notApplicable }
        guard let tenths = scaled(value, by: 10) else { return outOfRange(value) + "%" }
        return "\(tenths < 0 ? "-" : "")\(abs(tenths) / 10).\(abs(tenths) % 10)%"
    }

    /// `value × factor` rounded, when it fits an Int: scores read back from a report file (`diff`,
    /// baselines) can hold anything, and converting 1e300 or NaN to an Int traps.
    static func scaled(_ value: Double, by factor: Double) -> Int? {
        let product = (value * factor).rounded()
        return product.isFinite && abs(product) < 1e15 ? Int(product) : nil
    }

    static func outOfRange(_ value: Double) -> String { value.isNaN ? "NaN" : value > 0 ? "huge" : "-huge" }

    /// How every format shows a score that does not apply (nothing was judged).
    public static let notApplicable = "n/a"

    /// `decimal`, or "n/a".
    public static func decimal(_ value: Double?) -> String { value.map(decimal) ?? notApplicable }
}
