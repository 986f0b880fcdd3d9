import Audit
import Reports
import FoundationEssentials

enum ListCommand {
    static func run(_ arguments: [String]) -> ExitCode {
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments.parse(arguments, specs: [OptionSpec(name: "format", takesValue: true, help: "")])
        } catch {
            Console.error("lookout list: \(error)")
            return .usage
        }
        let format = parsed.value("format") ?? "text"
        let json = format == "json"
        guard ["text", "json", "markdown"].contains(format) else {
            Console.error("lookout list: --format takes text, json or markdown")
            return .usage
        }
        switch parsed.positionals.first {
        case "controls":
            if format == "markdown" {
                Console.out(ControlsReference.markdown())
                return .success
            }
            if json {
                struct Entry: Encodable {
                    var id, name, severity: String
                    var baseScore: Double
                    var frameworks: [String]
                    var informational: Bool
                }
                return printJSON(Catalogue.controls.map {
                    Entry(id: $0.id, name: $0.name, severity: $0.severity.rawValue, baseScore: $0.baseScore,
                          frameworks: $0.frameworks, informational: $0.informational)
                })
            }
            for control in Catalogue.controls {
                Console.out("\(control.id.padding(9))\(control.severity.rawValue.padding(9))\(control.name)\n")
            }
        case "frameworks":
            if json {
                struct Entry: Encodable {
                    var name: String
                    var controls: [String]
                }
                return printJSON(Framework.all.map { Entry(name: $0.name, controls: $0.controls.map(\.id)) })
            }
            for framework in Framework.all {
                Console.out("\(framework.name.padding(14))\(framework.controls.count) controls\n")
            }
        default:
            Console.error("lookout list: expected `controls` or `frameworks`")
            return .usage
        }
        return .success
    }

    static func printJSON<T: Encodable>(_ value: T) -> ExitCode {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return .usage }
        Console.out(String(decoding: data, as: UTF8.self) + "\n")
        return .success
    }
}
