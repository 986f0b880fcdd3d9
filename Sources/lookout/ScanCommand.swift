import Audit
import Documents
import FoundationEssentials
import Inventory
import KubeClient
import Product
import Reports

enum ScanCommand {
    static let options: [OptionSpec] = [
        OptionSpec(name: "kubeconfig", takesValue: true, help: "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)"),
        OptionSpec(name: "context", takesValue: true, help: "kubeconfig context (default: current-context)"),
        OptionSpec(name: "exclude-namespaces", takesValue: true, help: "comma-separated namespaces to leave out"),
        OptionSpec(name: "include-namespaces", takesValue: true, help: "comma-separated namespaces to scan (others are left out)"),
        OptionSpec(name: "format", takesValue: true, help: "pretty|json|junit|sarif|html|prometheus (comma-separated for several)"),
        OptionSpec(name: "output", short: "o", takesValue: true, help: "report file; with several formats the base name of BASE.<ext>"),
        OptionSpec(name: "from", takesValue: true, help: "audit files instead of a cluster: a saved snapshot, manifests or a dir"),
        OptionSpec(name: "baseline", takesValue: true, help: "earlier JSON report: mark findings new or unchanged, list resolved"),
        OptionSpec(name: "fail-on-new", takesValue: false, help: "with --baseline: fail only on new findings (>= --severity-threshold)"),
        OptionSpec(name: "pushgateway", takesValue: true, help: "push the Prometheus metrics to this Pushgateway URL"),
        OptionSpec(name: "compliance-threshold", takesValue: true, help: "fail (exit 1) when the compliance score is below N"),
        OptionSpec(name: "severity-threshold", takesValue: true, help: "fail when a failed resource is at or above low|medium|high|critical"),
        OptionSpec(name: "fail-threshold", short: "t", takesValue: true, help: "fail when the risk score is above N"),
        OptionSpec(name: "exceptions", takesValue: true, help: "Kubescape-format exceptions file (JSON or YAML)"),
        OptionSpec(name: "controls-config", takesValue: true, help: "controls configuration (YAML or JSON) overriding the defaults"),
        Deadline.option,
        OptionSpec(name: "allow-incomplete", takesValue: false, help: "exit with the gates' code even when a needed kind could not be read"),
        OptionSpec(name: "verbose", short: "v", takesValue: false, help: "list every failing resource with evidence and remediation"),
        OptionSpec(name: "help", short: "h", takesValue: false, help: "show this help"),
    ] + ReportConfigMapOptions.options + [LogFormat.option]

    static var help: String {
        var text = """
            Usage: lookout scan [framework NAMES | control IDS] [options]

              lookout scan                          ClusterScan, MITRE, NSA and lookout frameworks
              lookout scan framework nsa,mitre      named frameworks (case-insensitive); `all` for every control
              lookout scan control C-0035,C-0057    named controls

            Options:

            """
        text += OptionSpec.describe(options)
        text += "\nExit codes: 0 scan complete and gates passed, 1 a gate failed, 2 bad usage or input file,\n"
        text += "3 cluster unreachable, authentication failed, or the scan could not complete (a kind the controls need\n"
        text += "could not be read; the report is still written and says why; --allow-incomplete exits 0 or 1 instead),\n"
        text += "or it did not finish within --timeout (nothing is written).\n"
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
            Console.logFormat = plan.logFormat
            try Deadline.arm(parsed, command: "scan")
        } catch {
            Console.error("lookout scan: \(error)\nRun `lookout scan --help` for usage.")
            return .usage
        }

        let exceptions: [PostureException]
        let controlsConfig: ControlsConfig
        do {
            exceptions = try plan.exceptionsPath.map { path throws(ConfigError) in try InputFiles.exceptions(path: path) } ?? []
            controlsConfig = try plan.controlsConfigPath.map(InputFiles.controlsConfig(path:)) ?? ControlsConfig()
        } catch {
            Console.error("lookout: \(error)")
            return .usage
        }
        var baseline: (report: ScanReport, source: String)?
        do {
            baseline = try plan.baselinePath.map { path in (try ReportFile.load(path), path) }
        } catch {
            Console.error("lookout: \(error)")
            return .usage
        }

        let progress = plan.showsProgress ? ProgressLine() : nil
        let snapshot: ClusterSnapshot
        var api: KubeAPI?
        do {
            if let from = plan.from {
                snapshot = try SnapshotSource.load(from: from, scope: plan.scope)
            } else {
                let connected = try await SnapshotSource.connect(kubeconfig: plan.kubeconfig, context: plan.context)
                api = connected
                await CheckPermissionsCommand.announceSkips(api: connected, configMaps: plan.configMaps, controls: plan.controls)
                baseline = try await plan.configMaps.loadBaseline(api: connected) ?? baseline
                snapshot = try await SnapshotSource.collect(api: connected, scope: plan.scope, progress: progress)
            }
        } catch {
            return error.code
        }

        let notFound = snapshot.includedNamespacesNotFound
        if !notFound.isEmpty {
            Console.error("warning: --include-namespaces names namespaces that do not exist: \(notFound.joined(separator: ", "))")
        }
        let context = AuditContext(snapshot: snapshot, config: controlsConfig)
        let result = Auditor.run(
            plan.controls, frameworks: plan.frameworks, in: context, exceptions: exceptions, progress: progress?.evaluated)
        progress?.finish()
        for name in result.unusedExceptions {
            Console.error("warning: exception \"\(name)\" matched no failed resource")
        }
        var report = ScanReport(result: result, snapshot: snapshot, toolVersion: Product.version, scannedAt: Date())
        if let baseline { report = report.compared(with: baseline.report, source: baseline.source) }
        do {
            try ReportWriter(formats: plan.formats, output: plan.output, verbose: plan.verbose).write(report)
        } catch {
            Console.error("lookout: \(error)")
            return .usage
        }
        var reportConfigMap: String?
        if let api {
            do {
                reportConfigMap = try await plan.configMaps.store(report, api: api)
            } catch {
                return error.code
            }
        }
        if let url = plan.pushgateway {
            do {
                try await Pushgateway.push(report, to: url)
            } catch {
                Console.error("lookout: \(error)")
                return .clusterError
            }
        }
        let failures = plan.gates.failures(report)
        for failure in failures { Console.error("gate failed: \(failure)") }
        var code: ExitCode = failures.isEmpty ? .success : .gateFailed
        if !report.isComplete {
            // Verdicts are missing where a kind could not be read: passing gates prove nothing then.
            for reason in report.incompleteReasons ?? [] { Console.error("warning: incomplete scan: \(reason)") }
            if plan.allowIncomplete {
                Console.error("warning: the scan is incomplete; --allow-incomplete returns the gates' exit code")
            } else {
                Console.error("lookout: the scan is incomplete (exit 3): the report is written; --allow-incomplete accepts it")
                code = .clusterError
            }
        }
        if plan.logFormat == .json { JSONLog.scanComplete(report, reportConfigMap: reportConfigMap, exitCode: code) }
        return code
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
    var allowIncomplete: Bool
    var gates: Gates
    var from: String?
    var baselinePath: String?
    var pushgateway: String?
    var configMaps: ReportConfigMapOptions
    var logFormat: LogFormat

    /// Progress goes to a terminal's stderr, and not while a machine format is printed to stdout.
    var showsProgress: Bool {
        Console.stderrIsTerminal && (output != nil || !formats.contains(where: \.isMachineReadable))
    }

    init(_ parsed: ParsedArguments) throws(UsageError) {
        kubeconfig = parsed.value("kubeconfig")
        context = parsed.value("context")
        exceptionsPath = parsed.value("exceptions")
        controlsConfigPath = parsed.value("controls-config")
        scope = NamespaceScope(included: parsed.list("include-namespaces"), excluded: parsed.list("exclude-namespaces"))
        output = parsed.value("output")
        verbose = parsed.has("verbose")
        allowIncomplete = parsed.has("allow-incomplete")
        (controls, frameworks) = try Self.selection(parsed.positionals)
        formats = try ReportFormat.list(parsed.list("format"))
        from = parsed.value("from")
        baselinePath = parsed.value("baseline")
        pushgateway = parsed.value("pushgateway")
        try pushgateway.map(Pushgateway.validate)
        if from != nil, parsed.value("kubeconfig") != nil || parsed.value("context") != nil {
            throw UsageError(description: "--from audits files: it takes no --kubeconfig or --context")
        }
        configMaps = try ReportConfigMapOptions(parsed)
        logFormat = try LogFormat.parse(parsed.value("log-format"))
        if logFormat == .json, output == nil {
            // The JSON lines own stdout: the report goes to --output, the ConfigMap or the Pushgateway.
            guard parsed.value("format") == nil else {
                throw UsageError(description: "--log-format json writes JSON lines to stdout: give --output for the report")
            }
            formats = []
        }
        if parsed.has("fail-on-new"), baselinePath == nil, configMaps.baselineName == nil {
            throw UsageError(description: "--fail-on-new needs --baseline PREVIOUS.json or --baseline-configmap NAME")
        }
        if formats.count > 1, output == nil {
            throw UsageError(description: "several formats need --output BASENAME to write one file each")
        }
        gates = try Gates(parsed)
    }

    static func selection(_ positionals: [String]) throws(UsageError) -> ([Control], [Framework]) {
        guard let kind = positionals.first else {
            let frameworks = Framework.defaultSelection
            return (Catalogue.controls.filter { control in frameworks.contains { $0.contains(control) } }, frameworks)
        }
        guard positionals.count == 2 else {
            throw UsageError(description: "expected `framework NAMES` or `control IDS`, got \"\(positionals.joined(separator: " "))\"")
        }
        var seen = Set<String>()
        let names = positionals[1].split(separator: ",").map { String($0).trimmedSpaces() }
            .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
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
    /// `--fail-on-new`: the severity gate counts only findings the baseline did not have.
    var newOnly = false

    init(_ parsed: ParsedArguments) throws(UsageError) {
        complianceThreshold = try Self.score(parsed, "compliance-threshold")
        riskThreshold = try Self.score(parsed, "fail-threshold")
        severityThreshold = try parsed.value("severity-threshold").map { text throws(UsageError) in
            guard let severity = Severity(rawValue: text.lowercased()) else {
                throw UsageError(description: "--severity-threshold takes low, medium, high or critical, got \"\(text)\"")
            }
            return severity
        }
        newOnly = parsed.has("fail-on-new")
        // Without a threshold, --fail-on-new fails on a new finding of any severity.
        if newOnly, severityThreshold == nil { severityThreshold = .low }
    }

    /// Scores run from 0 to 100, so a threshold outside them is a typo, not a gate.
    static func score(_ parsed: ParsedArguments, _ name: String) throws(UsageError) -> Double? {
        guard let value = try parsed.double(name) else { return nil }
        guard (0...100).contains(value) else {
            throw UsageError(description: "--\(name) takes a score from 0 to 100, got \(parsed.value(name) ?? "")")
        }
        return value
    }

    func failures(_ report: ScanReport) -> [String] {
        var failures: [String] = []
        let summary = report.summary
        // A score of n/a judged nothing: it meets no threshold, or a scan that saw nothing would pass.
        if let threshold = complianceThreshold {
            if let score = summary.complianceScore {
                if score < threshold {
                    failures.append(
                        "compliance score \(Self.format(score)) is below --compliance-threshold \(Self.format(threshold)) by \(Self.format(threshold - score)) points")
                }
            } else {
                failures.append("compliance score is n/a (no control judged a resource): --compliance-threshold \(Self.format(threshold)) is not met")
            }
        }
        if let threshold = riskThreshold {
            if let score = summary.riskScore {
                if score > threshold {
                    failures.append(
                        "risk score \(Self.format(score)) is above --fail-threshold \(Self.format(threshold)) by \(Self.format(score - threshold)) points")
                }
            } else {
                failures.append("risk score is n/a (no scored control judged a resource): --fail-threshold \(Self.format(threshold)) is not met")
            }
        }
        if let threshold = severityThreshold {
            let count = report.findings.count {
                $0.status == "failed" && $0.severity >= threshold && (!newOnly || $0.baseline == .new)
            }
            if count > 0 {
                failures.append(
                    "\(count) \(newOnly ? "new " : "")failed resource(s) at severity \(threshold.rawValue) or above"
                        + " (--severity-threshold \(threshold.rawValue)\(newOnly ? ", --fail-on-new" : ""))")
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
