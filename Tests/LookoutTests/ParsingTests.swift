import Audit
import Testing
@testable import LookoutCLI

/// Parsing into typed properties, for every command and option group, and the usage errors.
@Suite struct ParsingTests {
    private func parse<C: Command>(_ type: C.Type, _ arguments: [String]) throws -> C {
        try #require(try C.parse(arguments))
    }

    /// The usage error `arguments` cause.
    private func error<C: Command>(_ type: C.Type, _ arguments: [String]) -> String {
        do {
            _ = try C.parse(arguments)
            return "(no error)"
        } catch {
            return error.description
        }
    }

    @Test func scanTakesEveryOptionIntoItsProperty() throws {
        let scan = try parse(ScanCommand.self, [
            "framework", "nsa,MITRE", "--kubeconfig", "k.yaml", "--context=prod", "--exclude-namespaces", "a, b,,",
            "--include-namespaces", "c", "--format", "json,sarif", "-o", "out", "--baseline", "old.json", "--fail-on-new",
            "--pushgateway", "http://pg:9091", "--compliance-threshold", "80", "--severity-threshold", "HIGH", "-t", "12.5",
            "--exceptions", "e.yaml", "--controls-config", "c.yaml", "--timeout", "1h30m", "--allow-incomplete", "-v",
            "--report-configmap", "lookout-report", "--log-format", "JSON",
        ])
        #expect(scan.selection.frameworks.map(\.name) == ["NSA", "MITRE"])
        #expect(scan.connection.kubeconfig == "k.yaml")
        #expect(scan.connection.context == "prod")
        #expect(scan.scope.excluded == ["a", "b"])
        #expect(scan.scope.included == ["c"])
        #expect(scan.formats == [.json, .sarif])
        #expect(scan.report.output == "out")
        #expect(scan.baseline == "old.json")
        #expect(scan.failOnNew)
        #expect(scan.pushgateway == "http://pg:9091")
        #expect(scan.gates.complianceThreshold == 80)
        #expect(scan.gates.severityThreshold == .high)
        #expect(scan.gates.riskThreshold == 12.5)
        #expect(scan.gates.newOnly)
        #expect(scan.inputFiles.exceptions == "e.yaml")
        #expect(scan.inputFiles.controlsConfig == "c.yaml")
        #expect(scan.timeout?.duration == .seconds(5400))
        #expect(scan.timeout?.text == "1h30m")
        #expect(scan.allowIncomplete)
        #expect(scan.verbose)
        #expect(scan.configMaps.reportName == "lookout-report")
        #expect(scan.logFormat == .json)
    }

    @Test func scanDefaults() throws {
        let scan = try parse(ScanCommand.self, [])
        #expect(scan.formats == [.pretty])
        #expect(scan.selection.frameworks.map(\.name) == Framework.defaultSelection.map(\.name))
        #expect(scan.gates.complianceThreshold == nil && scan.gates.severityThreshold == nil && scan.gates.riskThreshold == nil)
        #expect(scan.timeout == nil)
        #expect(!scan.verbose && !scan.allowIncomplete && !scan.failOnNew)
    }

    @Test func selections() throws {
        #expect(try parse(ScanCommand.self, ["control", "C-0057,c-0035,C-0057"]).selection.controls.map(\.id) == ["C-0057", "C-0035"])
        #expect(try parse(ScanCommand.self, ["framework", "all"]).selection.controls.count == Catalogue.controls.count)
        #expect(error(ScanCommand.self, ["framework", "nope"]).hasPrefix("unknown framework \"nope\""))
        #expect(error(ScanCommand.self, ["control", "C-9999"]) == "unknown control \"C-9999\" (see `lookout list controls`)")
        #expect(error(ScanCommand.self, ["a", "b", "c"]) == "expected `framework NAMES` or `control IDS`, got \"a b c\"")
        #expect(error(ScanCommand.self, ["foo", "bar"]) == "unknown scan target \"foo\"; use `framework NAMES` or `control IDS`")
        #expect(try parse(CheckPermissionsCommand.self, ["control", "C-0057"]).selection.controls.map(\.id) == ["C-0057"])
        #expect(try parse(AdmissionPolicyCommand.self, ["control", "C-0057"]).selection.controls.map(\.id) == ["C-0057"])
    }

    @Test(arguments: [
        (["--bogus"], "unknown option --bogus"),
        (["-x"], "unknown option -x"),
        (["--output"], "--output needs a value"),
        (["--verbose=1"], "--verbose takes no value"),
        (["--format", "bogus"], "unknown format \"bogus\" (known: pretty, json, junit, sarif, html, prometheus)"),
        (["--format", "json,JSON", "-o", "x"], "format \"JSON\" is given twice"),
        (["--compliance-threshold", "abc"], "--compliance-threshold takes a number, got \"abc\""),
        (["--compliance-threshold", "1e300"], "--compliance-threshold takes a score from 0 to 100, got 1e300"),
        (["-t", "-0.5"], "--fail-threshold takes a score from 0 to 100, got -0.5"),
        (["--severity-threshold", "extreme"], "--severity-threshold takes low, medium, high or critical, got \"extreme\""),
        (["--timeout", "5x"], "--timeout takes a duration such as 90s, 10m or 1h30m, got \"5x\""),
        (["--log-format", "xml"], "--log-format takes text or json, got \"xml\""),
        (["--pushgateway", "ftp://user:secret@x"], "--pushgateway takes an http:// or https:// URL, got \"ftp://x\""),
        (["--report-configmap", "BAD_NAME"], "--report-configmap takes a ConfigMap name (lower-case letters, digits, '-', '.'), got \"BAD_NAME\""),
    ])
    func scanUsageErrors(arguments: [String], message: String) {
        #expect(error(ScanCommand.self, arguments) == message)
    }

    /// What one option cannot check alone, `validate()` checks.
    @Test(arguments: [
        (["--from", "x", "--kubeconfig", "y"], "--from audits files: it takes no --kubeconfig or --context"),
        (["--from", "x", "--context", "y"], "--from audits files: it takes no --kubeconfig or --context"),
        (["--baseline", "a", "--baseline-configmap", "b"], "--baseline and --baseline-configmap both name a baseline: give one"),
        (["--from", "x", "--report-configmap", "b"], "--report-configmap and --baseline-configmap need a cluster: they take no --from"),
        (["--fail-on-new"], "--fail-on-new needs --baseline PREVIOUS.json or --baseline-configmap NAME"),
        (["--log-format", "json", "--format", "json"], "--log-format json writes JSON lines to stdout: give --output for the report"),
        (["--format", "json,html"], "several formats need --output BASENAME to write one file each"),
    ])
    func scanValidation(arguments: [String], message: String) {
        #expect(error(ScanCommand.self, arguments) == message)
    }

    @Test func validationSelectsTheFormats() throws {
        #expect(try parse(ScanCommand.self, ["--log-format", "json"]).formats == [])
        #expect(try parse(ScanCommand.self, ["--log-format", "json", "--format", "junit", "-o", "r.xml"]).formats == [.junit])
        #expect(try parse(ScanCommand.self, ["--format", ""]).formats == [.pretty])
        #expect(try parse(ScanCommand.self, ["--fail-on-new", "--baseline-configmap", "b"]).gates.severityThreshold == .low)
    }

    @Test func helpWinsOverBadValuesButNotOverUnknownOptions() throws {
        #expect(try ScanCommand.parse(["--format", "bogus", "--help"]) == nil)
        #expect(try CollectCommand.parse(["-h", "--timeout", "0x"]) == nil)
        #expect(error(ScanCommand.self, ["--help", "--bogus"]) == "unknown option --bogus")
    }

    @Test func doubleDashEndsTheOptions() throws {
        let diff = try parse(DiffCommand.self, ["--", "--old.json", "-n"])
        #expect(diff.old == "--old.json")
        #expect(diff.new == "-n")
    }

    @Test func checkPermissions() throws {
        let command = try parse(CheckPermissionsCommand.self, ["--kubeconfig", "k", "--baseline-configmap", "b"])
        #expect(command.connection.kubeconfig == "k")
        #expect(command.configMaps.baselineName == "b")
        #expect(error(CheckPermissionsCommand.self, ["--exclude-namespaces", "x"]) == "unknown option --exclude-namespaces")
    }

    @Test func collect() throws {
        let command = try parse(CollectCommand.self, ["--context", "c", "--include-namespaces", "a,b", "-o", "s.json", "--allow-incomplete", "--timeout", "0"])
        #expect(command.connection.context == "c")
        #expect(command.scope.included == ["a", "b"])
        #expect(command.output == "s.json")
        #expect(command.allowIncomplete)
        #expect(command.timeout?.duration == .zero)
        #expect(error(CollectCommand.self, ["extra"]) == "unexpected argument \"extra\"")
        #expect(error(CollectCommand.self, ["--format", "json"]) == "unknown option --format")
    }

    @Test func diff() throws {
        let command = try parse(DiffCommand.self, ["old.json", "new.json", "--format", "json", "--fail-on-new", "--severity-threshold", "medium", "-v"])
        #expect((command.old, command.new) == ("old.json", "new.json"))
        #expect(command.format == .json)
        #expect(command.failOnNew)
        #expect(command.gateOptions.severityThreshold == .medium)
        #expect(command.verbose)
        #expect(error(DiffCommand.self, ["a"]) == "expected two reports, OLD.json and NEW.json")
        #expect(error(DiffCommand.self, ["a", "b", "--format", "xml"]) == "--format takes pretty or json")
        // diff gates on severity only: the other thresholds are scan's.
        #expect(error(DiffCommand.self, ["a", "b", "--compliance-threshold", "50"]) == "unknown option --compliance-threshold")
    }

    @Test func admissionPolicy() throws {
        let command = try parse(AdmissionPolicyCommand.self, ["--action", "warn", "-o", "p.yaml", "--exclude-namespaces", "kube-system", "--exceptions", "e.yaml"])
        #expect(command.action == .warn)
        #expect(command.output == "p.yaml")
        #expect(command.scope.excluded == ["kube-system"])
        #expect(command.inputFiles.exceptions == "e.yaml")
        #expect(error(AdmissionPolicyCommand.self, ["--action", "Nope"]) == "--action takes Deny, Warn or Audit, got \"Nope\"")
        #expect(error(AdmissionPolicyCommand.self, ["--exclude-namespaces", "BAD_NS"]) == "--exclude-namespaces: \"BAD_NS\" is not a namespace name")
        #expect(error(AdmissionPolicyCommand.self, ["--include-namespaces", "a"]) == "unknown option --include-namespaces")
    }

    @Test func list() throws {
        let command = try parse(ListCommand.self, ["--format", "json", "frameworks"])
        #expect(command.target == .frameworks)
        #expect(command.format == .json)
        #expect(error(ListCommand.self, []) == "expected `controls` or `frameworks`")
        #expect(error(ListCommand.self, ["controls", "--format", "xml"]) == "--format takes text, json or markdown")
        #expect(try ListCommand.parse(["--help"]) == nil)
    }

    @Test func root() throws {
        #expect(try parse(LookoutCommand.self, ["help"]).version == false)
        #expect(try parse(LookoutCommand.self, ["--version"]).version)
        #expect(error(LookoutCommand.self, ["bogus"]) == "unknown command \"bogus\"")
    }
}
