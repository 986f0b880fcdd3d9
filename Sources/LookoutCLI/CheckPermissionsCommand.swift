import Audit
import FoundationEssentials
import Inventory
import KubeClient

/// `lookout check-permissions`: what the credentials may read, and which controls a scan would skip for
/// lack of permission — the table `scan` prints a summary of before it starts.
struct CheckPermissionsCommand: Command {
    static let configuration = CommandConfiguration(
        name: "check-permissions", abstract: "what the credentials may read; controls a scan would skip",
        usage: "[framework NAMES | control IDS] [options]",
        discussion: """
            Asks the API server (SelfSubjectAccessReview) whether the credentials may make each request a scan
            makes, and lists the selected controls (default: those of `lookout scan`) that missing permissions
            would skip. With --report-configmap/--baseline-configmap it also checks the report ConfigMap.
            """,
        footer: """
            Exit codes: 0 every required permission is granted (nodes/proxy is optional), 1 one is missing,
            2 bad usage or kubeconfig, 3 cluster unreachable or authentication failed.
            """)

    var selection = Selection()
    var connection = ConnectionOptions()
    var configMaps = ReportConfigMapOptions()

    static var options: [Option<Self>] {
        ConnectionOptions.options(in: \.connection) + ReportConfigMapOptions.options(in: \.configMaps) + [.help]
    }

    mutating func take(positionals: [String]) throws(UsageError) {
        selection = try Selection(positionals)
    }

    func run() async -> ExitCode {
        let api: KubeAPI
        do {
            api = try await SnapshotSource.connect(kubeconfig: connection.kubeconfig, context: connection.context)
        } catch {
            return error.code
        }
        do {
            let preflight = try await Self.check(api: api, configMaps: configMaps)
            Console.out(Self.table(preflight, origin: api.config.origin, controls: selection.controls))
            return preflight.denied.contains { !$0.requirement.isOptional } ? .gateFailed : .success
        } catch {
            Console.error("cannot ask \(api.config.displayServer) about permissions (SelfSubjectAccessReview): \(error)")
            return .clusterError
        }
    }

    /// Every access review a scan with these options needs.
    static func check(api: KubeAPI, configMaps: ReportConfigMapOptions, maxInFlight: Int = .max) async throws(APIError)
        -> PermissionPreflight
    {
        try await PermissionPreflight.run(
            api: api,
            requirements: PermissionPreflight.collectorRequirements()
                + configMaps.requirements(namespace: ReportConfigMapOptions.namespace(api)),
            maxInFlight: maxInFlight)
    }

    /// Reviews in flight while a scan collects: the transport's other slots are the LISTs' and node reads'.
    static let reviewsBesideCollection = 2

    /// As a scan starts: one line per control the permissions will skip, on stderr. A missing optional
    /// permission is a note (rbac/ leaves nodes/proxy out on purpose); any other is a warning. A preflight
    /// that cannot run is only a warning: the scan finds out for itself. It runs beside the collection,
    /// so its lines go above the progress line.
    static func announceSkips(api: KubeAPI, configMaps: ReportConfigMapOptions, controls: [Control], progress: ProgressLine?) async {
        let preflight: PermissionPreflight
        do {
            preflight = try await check(api: api, configMaps: configMaps, maxInFlight: reviewsBesideCollection)
        } catch {
            // Cancelled because the collection beside it failed: that failure is the one to report.
            if Task.isCancelled { return }
            announce(progress) {
                Console.warning("cannot check permissions before the scan (\(error)); forbidden resources will show up as the scan meets them")
            }
            return
        }
        announce(progress) {
            for (control, reason) in preflight.skippedControls(controls) {
                let message = "\(control.id) (\(control.name)) will be skipped for lack of permission: \(reason)"
                if reason == KubeletConfigCollector.needsNodeProxy { Console.note(message) } else { Console.warning(message) }
            }
            for check in preflight.denied where check.requirement.kind == nil && !check.requirement.isOptional {
                Console.warning("the credentials may not \(check.requirement.attributes.verb) \(check.requirement.attributes.displayName), needed to \(check.requirement.purpose)")
            }
        }
    }

    private static func announce(_ progress: ProgressLine?, _ lines: () -> Void) {
        if let progress { progress.printAbove(lines) } else { lines() }
    }

    static func table(_ preflight: PermissionPreflight, origin: String, controls: [Control]) -> String {
        var out = "Permissions at \(preflight.server) (\(origin)), asked with SelfSubjectAccessReview:\n\n"
        let rows = preflight.checks.map { check in
            let answer = check.decision.allowed ? "yes" : (check.requirement.isOptional ? "no (optional)" : "NO")
            return [answer, check.requirement.attributes.verb, check.requirement.attributes.displayName, check.requirement.purpose]
        }
        let header = ["ALLOWED", "VERB", "RESOURCE", "NEEDED TO"]
        let widths = (0..<3).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            out += "  " + (0..<3).map { row[$0].padding(widths[$0] + 1) }.joined() + row[3] + "\n"
        }
        let skipped = preflight.skippedControls(controls)
        out += "\n"
        if skipped.isEmpty {
            out += "No selected control (\(controls.count)) will be skipped for lack of permission.\n"
        } else {
            out += "\(skipped.count) of \(controls.count) selected controls will be skipped for lack of permission:\n"
            let idWidth = skipped.map(\.control.id.count).max() ?? 0
            for (control, reason) in skipped {
                out += "  \(control.id.padding(idWidth + 1))\(reason.padding(30)) \(control.name)\n"
            }
        }
        return out
    }
}
