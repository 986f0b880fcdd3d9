import FoundationEssentials
import Reports

/// `--log-format json`: for a CronJob whose output goes to the cluster's log pipeline, every diagnostic
/// becomes one JSON object on one line of stdout, and the scan ends with a line that summarises it.
/// Pipelines (Fluent Bit, Vector, Loki, Cloud Logging) parse such lines into fields without any rule.
enum LogFormat: String {
    case text, json

    static let option = OptionSpec(
        name: "log-format", takesValue: true, help: "text|json: json prints diagnostics and a summary as JSON lines on stdout")

    static func parse(_ value: String?) throws(UsageError) -> LogFormat {
        guard let value else { return .text }
        guard let format = LogFormat(rawValue: value.lowercased()) else {
            throw UsageError(description: "--log-format takes text or json, got \"\(value)\"")
        }
        return format
    }
}

enum JSONLog {
    struct Line: Encodable {
        var time: String
        var level: String
        var msg: String
        var scan: ReportDigest?
        var reportConfigMap: String?
        var exitCode: Int32?
    }

    /// A diagnostic written with `Console.error`: its conventional prefix gives the level.
    static func diagnostic(_ text: String) {
        let text = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let levels = [("warning: ", "warning"), ("note: ", "info"), ("lookout: ", "error")]
        if let (prefix, level) = levels.first(where: { text.hasPrefix($0.0) }) {
            emit(Line(time: now, level: level, msg: String(text.dropFirst(prefix.count))))
        } else {
            // "gate failed: …" and other messages keep their wording.
            emit(Line(time: now, level: text.hasPrefix("gate failed: ") ? "warning" : "error", msg: text))
        }
    }

    /// The last line of a scan: its digest, where the report was stored and the exit code.
    static func scanComplete(_ report: ScanReport, reportConfigMap: String?, exitCode: ExitCode) {
        emit(Line(
            time: now, level: exitCode == .success ? "info" : "warning", msg: "scan complete", scan: ReportDigest(report),
            reportConfigMap: reportConfigMap, exitCode: exitCode.rawValue))
    }

    private static var now: String { Date().formatted(.iso8601) }

    private static func emit(_ line: Line) {
        let encoder = JSONEncoder()
        // Sorted keys: the encoder keeps no declaration order, and a stable one makes lines comparable.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(line) else { return }
        Console.out(String(decoding: data, as: UTF8.self) + "\n")
    }
}
