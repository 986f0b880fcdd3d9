import Admission
import Audit
import Documents
import FoundationEssentials

/// `lookout generate`: what Lookout can write for other tools; so far, admission policies.
struct GenerateCommand: Command {
    static let configuration = CommandConfiguration(
        name: "generate", synopsis: "admission-policy [...]", abstract: "the workload controls as ValidatingAdmissionPolicies",
        usage: "<command> [options]", footer: "Run `lookout generate <command> --help` for a command's options.",
        subcommands: [AdmissionPolicyCommand.self])

    mutating func take(positionals: [String]) throws(UsageError) {
        if !positionals.isEmpty { throw UsageError(description: "expected `admission-policy`") }
    }

    /// Without a subcommand: the help, and the usage exit code, as nothing was generated.
    func run() async -> ExitCode {
        Console.out(Self.help(path: "lookout generate"))
        return .usage
    }
}

/// `lookout generate admission-policy`: the workload controls as ValidatingAdmissionPolicies and
/// bindings, for the API server to enforce. Reads no cluster.
struct AdmissionPolicyCommand: Command {
    static let configuration = CommandConfiguration(
        name: "admission-policy", synopsis: "[framework NAMES | control IDS]",
        abstract: "the workload controls as ValidatingAdmissionPolicies and bindings",
        usage: "[framework NAMES | control IDS] [options]",
        discussion: """
            Writes one ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30 and later)
            and one binding per selected control that the API server can decide on the object being admitted,
            built from the same checks, controls configuration and exceptions the scan uses. Controls it cannot
            decide are listed in the YAML's header comment with the reason. Default selection: as `lookout scan`.

              lookout generate admission-policy --action Warn > lookout-policies.yaml
              kubectl apply -f lookout-policies.yaml
            """,
        footer: "Exit codes: 0 written, 2 bad usage or bad input file, 3 the output file could not be written.")

    var selection = Selection()
    var action = ValidationAction.deny
    var output: String?
    var scope = ScopeOptions()
    var inputFiles = InputFileOptions()

    static var options: [Option<Self>] {
        [
            Option("action", help: "what the binding does with a rejected object: Deny (default), Warn or Audit", \.action) { text throws(UsageError) in
                guard let action = ValidationAction.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                    throw UsageError(description: "--action takes Deny, Warn or Audit, got \"\(text)\"")
                }
                return action
            },
            Option("output", short: "o", help: "write the YAML to this file instead of stdout", \.output),
            ScopeOptions.exclude.within(\.scope),
        ] + InputFileOptions.options(in: \.inputFiles) + [.help]
    }

    mutating func take(positionals: [String]) throws(UsageError) {
        selection = try Selection(positionals)
    }

    func validate() throws(UsageError) {
        // The binding's namespaceSelector takes label values: a namespace name is a DNS label.
        for namespace in scope.excluded where namespace.count > 63 || namespace.wholeMatch(of: /[a-z0-9]([-a-z0-9]*[a-z0-9])?/) == nil {
            throw UsageError(description: "--exclude-namespaces: \"\(namespace)\" is not a namespace name")
        }
    }

    func run() async -> ExitCode {
        var request = AdmissionPolicyRequest(controls: selection.controls, excludedNamespaces: scope.excluded, action: action)
        do {
            request.exceptions = try inputFiles.exceptions.map { path throws(ConfigError) in
                try InputFiles.exceptions(path: path) { pattern in
                    RE2.unsupported(pattern).map { "uses \($0), which the API server's regular expressions (RE2) do not support" }
                }
            } ?? []
            request.config = try inputFiles.controlsConfig.map(InputFiles.controlsConfig(path:)) ?? ControlsConfig()
        } catch {
            Console.error("\(error)")
            return .usage
        }
        let policies = AdmissionPolicyGenerator.generate(request)
        if policies.policies.isEmpty {
            Console.warning("none of the selected controls can be decided at admission; the output holds only the list of reasons")
        }
        guard let output else {
            Console.out(policies.yaml)
            return .success
        }
        do {
            try OutputFile.write(Data(policies.yaml.utf8), to: output)
        } catch {
            Console.error("\(error)")
            return .outputFailed
        }
        Console.report("wrote \(policies.policies.count) policies and bindings to \(output)", level: .info)
        return .success
    }
}
