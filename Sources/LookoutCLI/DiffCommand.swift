import Documents
import FoundationEssentials
import Reports

/// `lookout diff OLD NEW`: the baseline comparison of two saved JSON reports, as `scan --baseline`
/// makes it.
struct DiffCommand: Command {
    static let configuration = CommandConfiguration(
        name: "diff", synopsis: "OLD.json NEW.json",
        abstract: "compare two JSON reports: new, unchanged and resolved findings",
        usage: "OLD.json NEW.json [options]",
        discussion: "Marks each finding of NEW as new or unchanged against OLD and lists OLD's resolved findings.",
        footer: """
            Exit codes: 0 compared (and the --fail-on-new gate passed), 1 --fail-on-new found new findings,
            2 bad usage or an unreadable report.
            """)

    enum Format: String {
        case pretty, json
    }

    var old = ""
    var new = ""
    var format = Format.pretty
    var failOnNew = false
    var gateOptions = GateOptions()
    var verbose = false

    static var options: [Option<Self>] {
        [
            Option("format", help: "pretty (default) or json (the new report with its baseline section)", \.format) { text throws(UsageError) in
                guard let format = Format(rawValue: text) else { throw UsageError(description: "--format takes pretty or json") }
                return format
            },
            Option(flag: "fail-on-new", help: "exit 1 when NEW has a new finding (>= --severity-threshold)", \.failOnNew),
            GateOptions.severity.within(\.gateOptions),
            .verbose(\.verbose),
            .help,
        ]
    }

    mutating func take(positionals: [String]) throws(UsageError) {
        guard positionals.count == 2 else { throw UsageError(description: "expected two reports, OLD.json and NEW.json") }
        (old, new) = (positionals[0], positionals[1])
    }

    func run() async -> ExitCode {
        let report: ScanReport
        do {
            let previous = try ReportFile.load(old)
            report = try ReportFile.load(new).compared(with: previous, source: old)
        } catch {
            Console.report("lookout diff: \(error)", level: .error)
            return .usage
        }
        if format == .json {
            guard let data = try? report.jsonData() else { return .outputFailed }
            Console.out(String(decoding: data, as: UTF8.self))
        } else {
            Console.out(PrettyRenderer(useColor: Console.useColor, verbose: verbose).renderComparison(report))
        }
        return Gates(gateOptions, newOnly: failOnNew).check(report) ? .success : .gateFailed
    }
}

/// A saved JSON report (`--baseline`, `lookout diff`).
enum ReportFile {
    static func load(_ path: String) throws(ConfigError) -> ScanReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the file (missing or not readable)")
        }
        let reports = try DocumentDecoder.decodeAll(ScanReport.self, data: data, file: path)
        guard reports.count == 1, let report = reports.first else {
            throw ConfigError(file: path, message: "expected one JSON report (`lookout scan --format json`)")
        }
        guard report.schemaVersion == "1" else {
            throw ConfigError(file: path, field: "schemaVersion", message: "unsupported report version \"\(report.schemaVersion)\" (this Lookout reads \"1\")")
        }
        return report
    }
}
