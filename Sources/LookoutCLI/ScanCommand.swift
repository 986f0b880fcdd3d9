import Audit
import Documents
import FoundationEssentials
import Inventory
import KubeClient
import Product
import Reports

/// `lookout scan`: reads the cluster (or files), runs the selected controls, writes the report and
/// applies the gates.
struct ScanCommand: Command {
    static let configuration = CommandConfiguration(
        name: "scan", synopsis: "[framework NAMES | control IDS]",
        abstract: "audit the cluster (default: ClusterScan, MITRE, NSA, lookout)",
        usage: "[framework NAMES | control IDS] [options]",
        discussion: """
              lookout scan                          ClusterScan, MITRE, NSA and lookout frameworks
              lookout scan framework nsa,mitre      named frameworks (case-insensitive); `all` for every control
              lookout scan control C-0035,C-0057    named controls
            """,
        footer: """
            Exit codes: 0 scan complete and gates passed, 1 a gate failed, 2 bad usage or input file,
            3 cluster unreachable, authentication failed, or the scan could not complete (a kind the controls need
            could not be read; the report is still written and says why; --allow-incomplete exits 0 or 1 instead),
            a report could not be written, or it did not finish within --timeout (nothing is written).
            """)

    var selection = Selection()
    var connection = ConnectionOptions()
    var scope = ScopeOptions()
    var report = ReportOutputOptions()
    var from: String?
    var baseline: String?
    var failOnNew = false
    var pushgateway: String?
    var gateOptions = GateOptions()
    var inputFiles = InputFileOptions()
    var timeout: Timeout?
    var allowIncomplete = false
    var verbose = false
    var configMaps = ReportConfigMapOptions()
    var logFormat: LogFormat?
    /// Set by `validate()`.
    var formats: [ReportFormat] = []
    var gates = Gates(GateOptions(), newOnly: false)

    static var options: [Option<Self>] {
        ConnectionOptions.options(in: \.connection) + ScopeOptions.options(in: \.scope) + ReportOutputOptions.options(in: \.report)
            + [
                Option("from", help: "audit files instead of a cluster: a saved snapshot, manifests or a dir", \.from),
                Option("baseline", help: "earlier JSON report: mark findings new or unchanged, list resolved", \.baseline),
                Option(flag: "fail-on-new", help: "with --baseline: fail only on new findings (>= --severity-threshold)", \.failOnNew),
                Option("pushgateway", help: "push the Prometheus metrics to this Pushgateway URL", \.pushgateway, convert: Pushgateway.validated),
            ]
            + GateOptions.options(in: \.gateOptions) + InputFileOptions.options(in: \.inputFiles)
            + [
                Deadline.option(\.timeout),
                Option(flag: "allow-incomplete", help: "exit with the gates' code even when a needed kind could not be read", \.allowIncomplete),
                .verbose(\.verbose),
                .help,
            ]
            + ReportConfigMapOptions.options(in: \.configMaps) + [LogFormat.option(\.logFormat)]
    }

    mutating func take(positionals: [String]) throws(UsageError) {
        selection = try Selection(positionals)
    }

    mutating func validate() throws(UsageError) {
        if from != nil, connection.kubeconfig != nil || connection.context != nil {
            throw UsageError(description: "--from audits files: it takes no --kubeconfig or --context")
        }
        if configMaps.baselineName != nil, baseline != nil {
            throw UsageError(description: "--baseline and --baseline-configmap both name a baseline: give one")
        }
        if configMaps.isUsed, from != nil {
            throw UsageError(description: "--report-configmap and --baseline-configmap need a cluster: they take no --from")
        }
        if failOnNew, baseline == nil, configMaps.baselineName == nil {
            throw UsageError(description: "--fail-on-new needs --baseline PREVIOUS.json or --baseline-configmap NAME")
        }
        formats = try report.selected(logFormat: logFormat ?? .text)
        gates = Gates(gateOptions, newOnly: failOnNew)
    }

    /// Progress goes to a terminal's stderr, and not while a machine format is printed to stdout.
    var showsProgress: Bool {
        Console.stderrIsTerminal && (report.output != nil || !formats.contains(where: \.isMachineReadable))
    }

    func run() async -> ExitCode {
        Console.logFormat = logFormat ?? .text
        Deadline.arm(timeout, command: "scan")

        let exceptions: [PostureException]
        let controlsConfig: ControlsConfig
        var baseline: (report: ScanReport, source: String)?
        do {
            exceptions = try inputFiles.exceptions.map { path throws(ConfigError) in try InputFiles.exceptions(path: path) } ?? []
            controlsConfig = try inputFiles.controlsConfig.map(InputFiles.controlsConfig(path:)) ?? ControlsConfig()
            baseline = try self.baseline.map { path throws(ConfigError) in (try ReportFile.load(path), path) }
        } catch {
            Console.error("\(error)")
            return .usage
        }

        let progress = showsProgress ? ProgressLine() : nil
        let snapshot: ClusterSnapshot
        var api: KubeAPI?
        do {
            if let from {
                snapshot = try SnapshotSource.load(from: from, scope: scope.scope)
            } else {
                let connected = try await SnapshotSource.connect(kubeconfig: connection.kubeconfig, context: connection.context)
                api = connected
                // The permission preflight's access reviews need nothing the LISTs return: waiting for them
                // first would add their round trips to every scan.
                async let announced: Void = CheckPermissionsCommand.announceSkips(
                    api: connected, configMaps: configMaps, controls: selection.controls, progress: progress)
                baseline = try await configMaps.loadBaseline(api: connected) ?? baseline
                snapshot = try await SnapshotSource.collect(api: connected, scope: scope.scope, progress: progress)
                await announced
            }
        } catch {
            return error.code
        }

        let notFound = snapshot.includedNamespacesNotFound
        if !notFound.isEmpty {
            Console.warning("--include-namespaces names namespaces that do not exist: \(notFound.joined(separator: ", "))")
        }
        let context = AuditContext(snapshot: snapshot, config: controlsConfig)
        let result = Auditor.run(
            selection.controls, frameworks: selection.frameworks, in: context, exceptions: exceptions, progress: progress?.evaluated)
        progress?.finish()
        for name in result.unusedExceptions {
            Console.warning("exception \"\(name)\" matched no failed resource")
        }
        var report = ScanReport(result: result, snapshot: snapshot, toolVersion: Product.version, scannedAt: Date())
        if let baseline { report = report.compared(with: baseline.report, source: baseline.source) }
        do {
            try ReportWriter(formats: formats, output: self.report.output, verbose: verbose).write(report)
        } catch {
            Console.error("\(error)")
            return .outputFailed
        }
        var reportConfigMap: String?
        if let api {
            do {
                reportConfigMap = try await configMaps.store(report, api: api)
            } catch {
                return error.code
            }
        }
        if let pushgateway {
            do {
                try await Pushgateway.push(report, to: pushgateway)
            } catch {
                Console.error("\(error)")
                return .outputFailed
            }
        }
        var code: ExitCode = gates.check(report) ? .success : .gateFailed
        if !report.isComplete {
            // Verdicts are missing where a kind could not be read: passing gates prove nothing then.
            for reason in report.incompleteReasons ?? [] { Console.warning("incomplete scan: \(reason)") }
            if allowIncomplete {
                Console.warning("the scan is incomplete; --allow-incomplete returns the gates' exit code")
            } else {
                Console.error("the scan is incomplete (exit 3): the report is written; --allow-incomplete accepts it")
                code = .clusterError
            }
        }
        if logFormat == .json { JSONLog.scanComplete(report, reportConfigMap: reportConfigMap, exitCode: code) }
        return code
    }
}
