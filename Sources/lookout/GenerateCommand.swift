import Admission
import Audit
import Documents
import FoundationEssentials

/// `lookout generate admission-policy`: the workload controls as ValidatingAdmissionPolicies and
/// bindings, for the API server to enforce. Reads no cluster.
enum GenerateCommand {
    static let options: [OptionSpec] = [
        OptionSpec(name: "action", takesValue: true, help: "what the binding does with a rejected object: Deny (default), Warn or Audit"),
        OptionSpec(name: "output", short: "o", takesValue: true, help: "write the YAML to this file instead of stdout"),
    ] + ScanCommand.options.filter { ["exclude-namespaces", "exceptions", "controls-config", "help"].contains($0.name) }

    static var help: String {
        """
        Usage: lookout generate admission-policy [framework NAMES | control IDS] [options]

        Writes one ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30 and later)
        and one binding per selected control that the API server can decide on the object being admitted,
        built from the same checks, controls configuration and exceptions the scan uses. Controls it cannot
        decide are listed in the YAML's header comment with the reason. Default selection: as `lookout scan`.

          lookout generate admission-policy --action Warn > lookout-policies.yaml
          kubectl apply -f lookout-policies.yaml

        Options:
        \(OptionSpec.describe(options))
        Exit codes: 0 written, 2 bad usage or bad input file.

        """
    }

    static func run(_ arguments: [String]) -> ExitCode {
        var arguments = arguments
        if arguments.first == "--help" || arguments.first == "-h" || arguments.isEmpty {
            Console.out(help)
            return arguments.isEmpty ? .usage : .success
        }
        guard arguments.removeFirst() == "admission-policy" else {
            Console.error("lookout generate: expected `admission-policy`\nRun `lookout generate --help` for usage.")
            return .usage
        }
        let parsed: ParsedArguments
        var request: AdmissionPolicyRequest
        do {
            parsed = try ParsedArguments.parse(arguments, specs: options)
            if parsed.has("help") {
                Console.out(help)
                return .success
            }
            let text = parsed.value("action") ?? ValidationAction.deny.rawValue
            guard let action = ValidationAction.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw UsageError(description: "--action takes Deny, Warn or Audit, got \"\(text)\"")
            }
            let (controls, _) = try ScanPlan.selection(parsed.positionals)
            // The binding's namespaceSelector takes label values: a namespace name is a DNS label.
            for namespace in parsed.list("exclude-namespaces") where namespace.count > 63 || namespace.wholeMatch(of: /[a-z0-9]([-a-z0-9]*[a-z0-9])?/) == nil {
                throw UsageError(description: "--exclude-namespaces: \"\(namespace)\" is not a namespace name")
            }
            request = AdmissionPolicyRequest(
                controls: controls, excludedNamespaces: parsed.list("exclude-namespaces"), action: action)
        } catch {
            Console.error("lookout generate: \(error)\nRun `lookout generate --help` for usage.")
            return .usage
        }
        do {
            request.exceptions = try parsed.value("exceptions").map { path throws(ConfigError) in
                try InputFiles.exceptions(path: path) { pattern in
                    RE2.unsupported(pattern).map { "uses \($0), which the API server's regular expressions (RE2) do not support" }
                }
            } ?? []
            request.config = try parsed.value("controls-config").map(InputFiles.controlsConfig(path:)) ?? ControlsConfig()
        } catch {
            Console.error("lookout: \(error)")
            return .usage
        }
        let policies = AdmissionPolicyGenerator.generate(request)
        if policies.policies.isEmpty {
            Console.error("warning: none of the selected controls can be decided at admission; the output holds only the list of reasons")
        }
        guard let output = parsed.value("output") else {
            Console.out(policies.yaml)
            return .success
        }
        do {
            try OutputFile.write(Data(policies.yaml.utf8), to: output)
        } catch {
            Console.error("lookout: \(error)")
            return .usage
        }
        Console.error("wrote \(policies.policies.count) policies and bindings to \(output)")
        return .success
    }
}
