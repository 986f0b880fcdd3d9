import FoundationEssentials
import Reports

/// `--log-format json`: for a CronJob whose output goes to the cluster's log pipeline, every diagnostic
/// becomes one JSON object on one line of stdout, and the scan ends with a line that summarises it.
/// Pipelines (Fluent Bit, Vector, Loki, Cloud Logging) parse such lines into fields without any rule.
enum LogFormat: String, ArgumentValue {
    case text, json

    init(argument: String, option: String) throws(UsageError) {
        guard let format = LogFormat(rawValue: argument.lowercased()) else {
            throw UsageError(description: "--\(option) takes text or json, got \"\(argument)\"")
        }
        self = format
    }

    static func option<Root>(_ property: WritableKeyPath<Root, LogFormat?>) -> Option<Root> {
        Option("log-format", help: "text|json: json prints diagnostics and a summary as JSON lines on stdout", property)
    }
}

package enum JSONLog {
    /// One line; the integration tests decode the binary's output with this same type.
    package struct Line: Codable {
        package var time: String
        package var level: String
        package var msg: String
        package var scan: ReportDigest?
        package var reportConfigMap: String?
        package var exitCode: Int32?
    }

    /// A diagnostic, at the level its caller gave.
    static func diagnostic(_ level: LogLevel, _ message: String) {
        emit(line(level, message))
    }

    static func line(_ level: LogLevel, _ message: String) -> Line {
        Line(time: now, level: level.rawValue, msg: message.hasSuffix("\n") ? String(message.dropLast()) : message)
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
