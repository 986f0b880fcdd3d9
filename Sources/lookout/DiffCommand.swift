import Documents
import FoundationEssentials
import Reports

/// `lookout diff OLD NEW`: the baseline comparison of two saved JSON reports, as `scan --baseline`
/// makes it.
enum DiffCommand {
    static let options: [OptionSpec] =
        [
            OptionSpec(name: "format", takesValue: true, help: "pretty (default) or json (the new report with its baseline section)"),
            OptionSpec(name: "fail-on-new", takesValue: false, help: "exit 1 when NEW has a new finding (>= --severity-threshold)"),
        ]
        + ScanCommand.options.filter { ["severity-threshold", "verbose", "help"].contains($0.name) }

    static var help: String {
        """
        Usage: lookout diff OLD.json NEW.json [options]

        Marks each finding of NEW as new or unchanged against OLD and lists OLD's resolved findings.

        Options:
        \(OptionSpec.describe(options))
        Exit codes: 0 compared (and the --fail-on-new gate passed), 1 --fail-on-new found new findings,
        2 bad usage or an unreadable report.

        """
    }

    static func run(_ arguments: [String]) -> ExitCode {
        let parsed: ParsedArguments
        let gates: Gates
        do {
            parsed = try ParsedArguments.parse(arguments, specs: options)
            if parsed.has("help") {
                Console.out(help)
                return .success
            }
            guard parsed.positionals.count == 2 else {
                throw UsageError(description: "expected two reports, OLD.json and NEW.json")
            }
            guard ["pretty", "json"].contains(parsed.value("format") ?? "pretty") else {
                throw UsageError(description: "--format takes pretty or json")
            }
            gates = try Gates(parsed)
        } catch {
            Console.error("lookout diff: \(error)\nRun `lookout diff --help` for usage.")
            return .usage
        }
        let report: ScanReport
        do {
            let old = try ReportFile.load(parsed.positionals[0])
            report = try ReportFile.load(parsed.positionals[1]).compared(with: old, source: parsed.positionals[0])
        } catch {
            Console.error("lookout diff: \(error)")
            return .usage
        }
        if parsed.value("format") == "json" {
            guard let data = try? report.jsonData() else { return .usage }
            Console.out(String(decoding: data, as: UTF8.self))
        } else {
            Console.out(PrettyRenderer(useColor: Console.useColor, verbose: parsed.has("verbose")).renderComparison(report))
        }
        let failures = gates.failures(report)
        for failure in failures { Console.error("gate failed: \(failure)") }
        return failures.isEmpty ? .success : .gateFailed
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
