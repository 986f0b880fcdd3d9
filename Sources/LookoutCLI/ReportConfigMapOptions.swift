import FoundationEssentials
import Inventory
import KubeClient
import Reports

/// `--report-configmap NAME` and `--baseline-configmap NAME`: a scheduled run keeps its latest result
/// in a ConfigMap of its own namespace (the pod's, or the kubeconfig context's) and compares the next
/// run with it. This is the only write Lookout ever makes to a cluster, and only when asked.
struct ReportConfigMapOptions: OptionGroup {
    var reportName: String?
    var baselineName: String?

    static var options: [Option<Self>] {
        [
            Option("report-configmap", help: "store the summary and gzipped JSON report in this ConfigMap", \.reportName) {
                name throws(UsageError) in try validated(name, "report-configmap")
            },
            Option("baseline-configmap", help: "compare with the report stored in this ConfigMap (first run: none)", \.baselineName) {
                name throws(UsageError) in try validated(name, "baseline-configmap")
            },
        ]
    }

    var isUsed: Bool { reportName != nil || baselineName != nil }

    /// A ConfigMap name is a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253, starting
    /// and ending with a letter or digit.
    static func validated(_ name: String, _ option: String) throws(UsageError) -> String {
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        let edges: Set<Character?> = ["-", "."]
        guard allowed, (1...253).contains(name.utf8.count), !edges.contains(name.first), !edges.contains(name.last) else {
            throw UsageError(description: "--\(option) takes a ConfigMap name (lower-case letters, digits, '-', '.'), got \"\(name)\"")
        }
        return name
    }

    /// The pod's namespace in a cluster, else the kubeconfig context's, else "default", as kubectl does.
    static func namespace(_ api: KubeAPI) -> String { api.config.namespace ?? "default" }

    /// The access reviews the preflight adds: reading the baseline and patching the report.
    func requirements(namespace: String) -> [PermissionPreflight.Requirement] {
        var requirements: [PermissionPreflight.Requirement] = []
        if let baselineName {
            requirements.append(PermissionPreflight.Requirement(
                attributes: ResourceAttributes(verb: "get", resource: "configmaps", namespace: namespace, name: baselineName),
                purpose: "read the baseline (--baseline-configmap)"))
        }
        if let reportName {
            requirements.append(PermissionPreflight.Requirement(
                attributes: ResourceAttributes(verb: "patch", resource: "configmaps", namespace: namespace, name: reportName),
                purpose: "store the report (--report-configmap)"))
        }
        return requirements
    }

    /// The report an earlier run stored, or nil on a first run (no ConfigMap, or no report in it yet).
    /// A stored report that cannot be read is reported and ignored, so one bad write cannot stop every
    /// later scheduled run: the next write replaces it.
    func loadBaseline(api: KubeAPI) async throws(CommandExit) -> (report: ScanReport, source: String)? {
        guard let baselineName else { return nil }
        let namespace = Self.namespace(api)
        let source = "configmap/\(namespace)/\(baselineName)"
        let contents: ConfigMapContents?
        do {
            contents = try await api.configMap(namespace: namespace, name: baselineName)
        } catch {
            Console.error("cannot read the baseline ConfigMap \(namespace)/\(baselineName): \(error)")
            throw CommandExit(code: .clusterError)
        }
        do {
            guard let contents, let report = try ReportConfigMap.report(from: contents.binaryData, data: contents.data) else {
                Console.note("no baseline yet: \(source) holds no report (first run); every finding counts as new")
                return nil
            }
            return (report, source)
        } catch {
            Console.warning("ignoring the baseline in \(source), which cannot be read: \(error)")
            return nil
        }
    }

    /// Writes the summary and the report into the report ConfigMap; returns its `namespace/name`.
    func store(_ report: ScanReport, api: KubeAPI) async throws(CommandExit) -> String? {
        guard let reportName else { return nil }
        let namespace = Self.namespace(api)
        let contents: ReportConfigMap.Contents
        do {
            contents = try ReportConfigMap.contents(for: report)
        } catch {
            Console.error("cannot encode the report for the ConfigMap: \(error)")
            throw CommandExit(code: .clusterError)
        }
        if let note = contents.data[ReportConfigMap.noteKey] ?? nil { Console.warning(note) }
        do {
            try await api.writeConfigMap(
                namespace: namespace, name: reportName, labels: ReportConfigMap.labels, data: contents.data,
                binaryData: contents.binaryData)
        } catch {
            var hint = ""
            if case .forbidden = error {
                hint = " (rbac/report-role.yaml grants get and patch on the ConfigMap it ships, lookout-report in namespace lookout;"
                    + " the ConfigMap must exist, as RBAC cannot grant `create` for one name only)"
            }
            Console.error("cannot write the report ConfigMap \(namespace)/\(reportName): \(error)\(hint)")
            throw CommandExit(code: .clusterError)
        }
        return "\(namespace)/\(reportName)"
    }
}
