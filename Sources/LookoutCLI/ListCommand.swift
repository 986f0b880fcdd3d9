import Audit
import Reports
import FoundationEssentials

/// `lookout list controls|frameworks`: the catalogue, for people, scripts (`--format json`) and
/// docs/controls.md (`--format markdown`).
struct ListCommand: Command {
    static let configuration = CommandConfiguration(
        name: "list", synopsis: "controls|frameworks [--format json]", usage: "controls|frameworks [options]",
        discussion: "Lists the controls (ID, severity, name) or the frameworks (name, number of controls).",
        footer: "Exit codes: 0 listed, 2 bad usage.")

    enum Target: String {
        case controls, frameworks
    }

    enum Format: String {
        case text, json, markdown
    }

    var target = Target.controls
    var format = Format.text

    static var options: [Option<Self>] {
        [
            Option("format", help: "text (default), json, or markdown (controls only: docs/controls.md)", \.format) { text throws(UsageError) in
                guard let format = Format(rawValue: text) else { throw UsageError(description: "--format takes text, json or markdown") }
                return format
            },
            .help,
        ]
    }

    mutating func take(positionals: [String]) throws(UsageError) {
        guard let first = positionals.first, let target = Target(rawValue: first) else {
            throw UsageError(description: "expected `controls` or `frameworks`")
        }
        self.target = target
    }

    func run() async -> ExitCode {
        switch (target, format) {
        case (.controls, .markdown):
            Console.out(ControlsReference.markdown())
        case (.controls, .json):
            struct Entry: Encodable {
                var id, name, severity: String
                var baseScore: Double
                var frameworks: [String]
                var informational: Bool
            }
            return Self.printJSON(Catalogue.controls.map {
                Entry(id: $0.id, name: $0.name, severity: $0.severity.rawValue, baseScore: $0.baseScore,
                      frameworks: $0.frameworks, informational: $0.informational)
            })
        case (.controls, .text):
            for control in Catalogue.controls {
                Console.out("\(control.id.padding(9))\(control.severity.rawValue.padding(9))\(control.name)\n")
            }
        case (.frameworks, .json):
            struct Entry: Encodable {
                var name: String
                var controls: [String]
            }
            return Self.printJSON(Framework.all.map { Entry(name: $0.name, controls: $0.controls.map(\.id)) })
        case (.frameworks, .text), (.frameworks, .markdown):
            for framework in Framework.all {
                Console.out("\(framework.name.padding(14))\(framework.controls.count) controls\n")
            }
        }
        return .success
    }

    static func printJSON<T: Encodable>(_ value: T) -> ExitCode {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return .outputFailed }
        Console.out(String(decoding: data, as: UTF8.self) + "\n")
        return .success
    }
}
