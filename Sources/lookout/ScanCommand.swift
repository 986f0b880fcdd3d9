import Audit
import FoundationEssentials
import Inventory
import KubeClient
import Reports

enum ScanCommand {
    static let options: [OptionSpec] = [
        OptionSpec(name: "kubeconfig", takesValue: true, help: "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)"),
        OptionSpec(name: "context", takesValue: true, help: "kubeconfig context (default: current-context)"),
        OptionSpec(name: "exclude-namespaces", takesValue: true, help: "comma-separated namespaces to leave out"),
        OptionSpec(name: "include-namespaces", takesValue: true, help: "comma-separated namespaces to scan (others are left out)"),
        OptionSpec(name: "format", takesValue: true, help: "pretty|json (comma-separated for several; default pretty)"),
        OptionSpec(name: "output", short: "o", takesValue: true, help: "write the report to this file instead of stdout"),
        OptionSpec(name: "compliance-threshold", takesValue: true, help: "fail (exit 1) when the compliance score is below N"),
        OptionSpec(name: "severity-threshold", takesValue: true, help: "fail when a failed resource is at or above low|medium|high|critical"),
        OptionSpec(name: "fail-threshold", short: "t", takesValue: true, help: "fail when the risk score is above N"),
        OptionSpec(name: "exceptions", takesValue: true, help: "Kubescape-format exceptions file (JSON or YAML)"),
        OptionSpec(name: "controls-config", takesValue: true, help: "controls configuration (YAML or JSON) overriding the defaults"),
        OptionSpec(name: "verbose", short: "v", takesValue: false, help: "list every failing resource with evidence and remediation"),
        OptionSpec(name: "help", short: "h", takesValue: false, help: "show this help"),
    ]

    static var help: String {
        var text = """
            Usage: lookout scan [framework NAMES | control IDS] [options]

              lookout scan                          ClusterScan, MITRE, NSA and lookout frameworks
              lookout scan framework nsa,mitre      named frameworks (case-insensitive); `all` for every control
              lookout scan control C-0035,C-0057    named controls

            Options:

            """
        for option in options {
            let name = "--\(option.name)" + (option.takesValue ? " VALUE" : "")
            let short = option.short.map { "-\($0), " } ?? "    "
            text += "  \(short)\(name.padding(30))\(option.help)\n"
        }
        text += "\nExit codes: 0 scan complete and gates passed, 1 a gate failed, 2 bad usage or input file,\n"
        text += "3 cluster unreachable, authentication failed, or the scan could not complete.\n"
        return text
    }

    static func run(_ arguments: [String]) async -> ExitCode {
        let plan: ScanPlan
        do {
            let parsed = try ParsedArguments.parse(arguments, specs: options)
            if parsed.has("help") {
                Console.out(help)
                return .success
            }
            plan = try ScanPlan(parsed)
        } catch {
            Console.error("lookout scan: \(error)\nRun `lookout scan --help` for usage.")
            return .usage
        }

        let connection: ConnectionConfig
        let exceptions: [PostureException]
        let controlsConfig: ControlsConfig
        do {
            exceptions = try plan.exceptionsPath.map(InputFiles.exceptions(path:)) ?? []
            controlsConfig = try plan.controlsConfigPath.map(InputFiles.controlsConfig(path:)) ?? ControlsConfig()
            connection = try ConfigLoader.load(kubeconfigPath: plan.kubeconfig, context: plan.context)
        } catch {
            Console.error("lookout: \(error)")
            return .usage
        }
        if connection.tls.insecureSkipVerify {
            Console.error("warning: TLS verification is disabled (insecure-skip-tls-verify): the API server's identity is not checked")
        }

        let snapshot: ClusterSnapshot
        do {
            let api = try await KubeAPI(config: connection)
            var progress: Collector.Progress?
            if Console.stderrIsTerminal {
                progress = { kind, count in Console.error("listed \(count) \(kind.rawValue)") }
            }
            snapshot = try await Collector(api: api, scope: plan.scope).collect(progress: progress)
        } catch {
            Console.error("lookout: cannot scan \(connection.server) (\(connection.origin)): \(error)")
            return .clusterError
        }
        for error in snapshot.errors {
            Console.error("warning: cannot list \(error.resource): \(error.reason): \(error.message)")
        }

        let context = AuditContext(snapshot: snapshot, config: controlsConfig)
        let result = Auditor.run(plan.controls, frameworks: plan.frameworks, in: context, exceptions: exceptions)
        for name in result.unusedExceptions {
            Console.error("warning: exception \"\(name)\" matched no failed resource")
        }
        let report = ScanReport(result: result, snapshot: snapshot, toolVersion: KubeAPI.version, scannedAt: Date())
        do {
            try ReportWriter(formats: plan.formats, output: plan.output, verbose: plan.verbose).write(report)
        } catch {
            Console.error("lookout: cannot write the report: \(error)")
            return .usage
        }
        let failures = plan.gates.failures(report)
        for failure in failures { Console.error("gate failed: \(failure)") }
        return failures.isEmpty ? .success : .gateFailed
    }
}

/// Everything `scan` was asked to do, validated before any network traffic.
struct ScanPlan {
    var kubeconfig: String?
    var context: String?
    var exceptionsPath: String?
    var controlsConfigPath: String?
    var scope: NamespaceScope
    var controls: [Control]
    var frameworks: [Framework]
    var formats: [ReportFormat]
    var output: String?
    var verbose: Bool
    var gates: Gates

    init(_ parsed: ParsedArguments) throws(UsageError) {
        kubeconfig = parsed.value("kubeconfig")
        context = parsed.value("context")
        exceptionsPath = parsed.value("exceptions")
        controlsConfigPath = parsed.value("controls-config")
        scope = NamespaceScope(included: parsed.list("include-namespaces"), excluded: parsed.list("exclude-namespaces"))
        output = parsed.value("output")
        verbose = parsed.has("verbose")
        (controls, frameworks) = try Self.selection(parsed.positionals)
        let formatNames = parsed.list("format").isEmpty ? ["pretty"] : parsed.list("format")
        formats = try formatNames.map { name throws(UsageError) in
            guard let format = ReportFormat(rawValue: name.lowercased()) else {
                throw UsageError(description: "unknown format \"\(name)\" (known: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return format
        }
        if formats.count > 1, output == nil {
            throw UsageError(description: "several formats need --output BASENAME to write one file each")
        }
        gates = Gates(
            complianceThreshold: try parsed.double("compliance-threshold"),
            riskThreshold: try parsed.double("fail-threshold"),
            severityThreshold: try parsed.value("severity-threshold").map { text throws(UsageError) in
                guard let severity = Severity(rawValue: text.lowercased()) else {
                    throw UsageError(description: "--severity-threshold takes low, medium, high or critical, got \"\(text)\"")
                }
                return severity
            })
    }

    static func selection(_ positionals: [String]) throws(UsageError) -> ([Control], [Framework]) {
        guard let kind = positionals.first else {
            let frameworks = Framework.defaultSelection
            return (Catalogue.controls.filter { control in frameworks.contains { $0.contains(control) } }, frameworks)
        }
        guard positionals.count == 2 else {
            throw UsageError(description: "expected `framework NAMES` or `control IDS`, got \"\(positionals.joined(separator: " "))\"")
        }
        let names = positionals[1].split(separator: ",").map { String($0).trimmedSpaces() }.filter { !$0.isEmpty }
        switch kind {
        case "framework", "frameworks":
            if names.map({ $0.lowercased() }) == ["all"] { return (Catalogue.controls, Framework.all) }
            let frameworks = try names.map { name throws(UsageError) in
                guard let framework = Framework.named(name) else {
                    throw UsageError(description: "unknown framework \"\(name)\" (known: \(Framework.all.map(\.name).joined(separator: ", ")), all)")
                }
                return framework
            }
            return (Catalogue.controls.filter { control in frameworks.contains { $0.contains(control) } }, frameworks)
        case "control", "controls":
            let controls = try names.map { id throws(UsageError) in
                guard let control = Catalogue.control(id: id) else {
                    throw UsageError(description: "unknown control \"\(id)\" (see `lookout list controls`)")
                }
                return control
            }
            return (controls, [])
        default:
            throw UsageError(description: "unknown scan target \"\(kind)\"; use `framework NAMES` or `control IDS`")
        }
    }
}

/// The pipeline gates: each failure is a sentence that says which gate and by how much.
struct Gates {
    var complianceThreshold: Double?
    var riskThreshold: Double?
    var severityThreshold: Severity?

    func failures(_ report: ScanReport) -> [String] {
        var failures: [String] = []
        let summary = report.summary
        if let threshold = complianceThreshold, summary.complianceScore < threshold {
            failures.append(
                "compliance score \(Self.format(summary.complianceScore)) is below --compliance-threshold \(Self.format(threshold)) by \(Self.format(threshold - summary.complianceScore)) points")
        }
        if let threshold = riskThreshold, summary.riskScore > threshold {
            failures.append(
                "risk score \(Self.format(summary.riskScore)) is above --fail-threshold \(Self.format(threshold)) by \(Self.format(summary.riskScore - threshold)) points")
        }
        if let threshold = severityThreshold {
            let count = report.findings.count { $0.status == "failed" && $0.severity >= threshold }
            if count > 0 {
                failures.append("\(count) failed resource(s) at severity \(threshold.rawValue) or above (--severity-threshold \(threshold.rawValue))")
            }
        }
        return failures
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)" + (fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + "\(fraction)")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
