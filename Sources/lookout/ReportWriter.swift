import FoundationEssentials
import Reports

enum ReportFormat: String, CaseIterable {
    case pretty, json

    var fileExtension: String {
        switch self {
        case .pretty: "txt"
        case .json: "json"
        }
    }
}

/// Renders the report in each asked format to stdout, to `--output FILE` (one format) or to
/// `BASENAME.<ext>` per format (several).
struct ReportWriter {
    var formats: [ReportFormat]
    var output: String?
    var verbose: Bool

    func write(_ report: ScanReport) throws {
        for format in formats {
            let useColor = output == nil && format == .pretty && Console.useColor
            let data = try render(report, as: format, useColor: useColor)
            if let output {
                let path = formats.count > 1 ? "\(output).\(format.fileExtension)" : output
                try data.write(to: URL(filePath: path))
            } else {
                Console.out(String(decoding: data, as: UTF8.self))
            }
        }
    }

    func render(_ report: ScanReport, as format: ReportFormat, useColor: Bool) throws -> Data {
        switch format {
        case .pretty: Data(PrettyRenderer(useColor: useColor, verbose: verbose).render(report).utf8)
        case .json: try report.jsonData()
        }
    }
}
