/// The report formats `scan` writes.
enum ReportFormat: String, CaseIterable {
    case pretty, json, junit, sarif, html, prometheus

    /// The extension of `BASENAME.<ext>` when several formats are written at once.
    var fileExtension: String {
        switch self {
        case .pretty: "txt"
        case .json: "json"
        case .junit: "xml"
        case .sarif: "sarif"
        case .html: "html"
        case .prometheus: "prom"
        }
    }

    /// Formats a program reads: progress lines would never mix into them, but they also keep the
    /// terminal quiet when one of them goes to stdout.
    var isMachineReadable: Bool { self != .pretty }

    /// Parses `--format a,b`: every name known, none twice.
    static func list(_ text: String) throws(UsageError) -> [ReportFormat] {
        let names = text.commaSeparated
        var formats: [ReportFormat] = []
        for name in names.isEmpty ? ["pretty"] : names {
            guard let format = ReportFormat(rawValue: name.lowercased()) else {
                throw UsageError(description: "unknown format \"\(name)\" (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard !formats.contains(format) else { throw UsageError(description: "format \"\(name)\" is given twice") }
            formats.append(format)
        }
        return formats
    }
}

/// `--format`, `--output` of `scan`, and which formats that makes.
struct ReportOutputOptions: OptionGroup {
    /// nil when not given: pretty, unless JSON log lines own stdout.
    var formats: [ReportFormat]?
    var output: String?

    static var options: [Option<Self>] {
        [
            Option("format", help: "pretty|json|junit|sarif|html|prometheus (comma-separated for several)", \.formats, convert: ReportFormat.list),
            Option("output", short: "o", help: "report file; with several formats the base name of BASE.<ext>", \.output),
        ]
    }

    /// The formats to write: with `--log-format json` the JSON lines own stdout, so the report goes to
    /// `--output` (or only to the ConfigMap or the Pushgateway); several formats need a base name.
    func selected(logFormat: LogFormat) throws(UsageError) -> [ReportFormat] {
        if logFormat == .json, output == nil {
            guard formats == nil else {
                throw UsageError(description: "--log-format json writes JSON lines to stdout: give --output for the report")
            }
            return []
        }
        let selected = formats ?? [.pretty]
        if selected.count > 1, output == nil {
            throw UsageError(description: "several formats need --output BASENAME to write one file each")
        }
        return selected
    }
}
