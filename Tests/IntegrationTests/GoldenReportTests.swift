import Foundation
import Testing

/// Restructuring the code must not change a byte of what Lookout reports. These tests compare the
/// reports of the demo — scanned as manifests in all six formats, and applied to a fresh API server of
/// its own, scanned live and from a `collect` snapshot — with the files in Golden/, which the code
/// before the restructuring wrote. Only the scan time and the server's port are masked.
///
/// After an intended change of output, rewrite them with
/// `LOOKOUT_UPDATE_GOLDEN=1 LOOKOUT_TEST_CLUSTER=… swift test --filter GoldenReportTests` and review
/// the diff like code.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct GoldenReportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden"
    static let demoManifests = repository + "/Tests/cluster/demo"
    static let updating = ProcessInfo.processInfo.environment["LOOKOUT_UPDATE_GOLDEN"] == "1"

    @Test func demoManifestsInEveryFormat() throws {
        let folder = try TempDirectory()
        let run = try Run.lookout([
            "scan", "framework", "all", "--from", Self.demoManifests,
            "--format", "json,pretty,html,junit,sarif,prometheus", "--output", folder.path + "/report",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try String(contentsOfFile: folder.path + "/report.json", encoding: .utf8)
        let masks = try Masks(json: json, source: Self.demoManifests)
        for fileExtension in ["json", "txt", "html", "xml", "sarif", "prom"] {
            let text = try String(contentsOfFile: folder.path + "/report." + fileExtension, encoding: .utf8)
            try compare(masks.apply(to: text), golden: "demo-manifests." + fileExtension)
        }
    }

    /// `make demo`'s cluster: the scan it runs, the pipeline use (all frameworks, system namespaces
    /// excluded) and the same from a snapshot. The shared test cluster holds other tests' objects, so
    /// this one starts an API server of its own.
    @Test func demoClusterScans() throws {
        let cluster = try DedicatedCluster()
        defer { cluster.stop() }
        try cluster.kubectl(["apply", "-f", Self.demoManifests])
        try cluster.waitUntilControllersSettle()
        let folder = try TempDirectory()
        let connection = ["--kubeconfig", cluster.kubeconfig]
        let scope = ["--exclude-namespaces", "kube-system,kube-public"]
        let pipeline = ["framework", "all", "--compliance-threshold", "90"]

        let demo = try Run.lookout(["scan"] + connection + ["--format", "json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        try compare(Masks(json: demo.stdout, server: cluster.url).apply(to: demo.stdout), golden: "demo-cluster.json")

        let live = try Run.lookout(["scan"] + pipeline + scope + connection + ["--format", "json"])
        #expect(live.status == 1, "\(live.stderr)")
        try compare(Masks(json: live.stdout, server: cluster.url).apply(to: live.stdout), golden: "demo-cluster-pipeline.json")

        let snapshot = folder.path + "/snapshot.json"
        let collect = try Run.lookout(["collect"] + scope + connection + ["--output", snapshot])
        #expect(collect.status == 0, "\(collect.stderr)")
        let offline = try Run.lookout(["scan"] + pipeline + ["--from", snapshot, "--format", "json"])
        #expect(offline.status == 1, "\(offline.stderr)")
        try compare(Masks(json: offline.stdout, server: cluster.url).apply(to: offline.stdout), golden: "demo-snapshot-pipeline.json")
    }

    func compare(_ actual: String, golden name: String) throws {
        let path = Self.goldenFolder + "/" + name
        if Self.updating {
            try FileManager.default.createDirectory(atPath: Self.goldenFolder, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "LOOKOUT_UPDATE_GOLDEN is set in CI")
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        guard actual != expected else { return }
        let actualPath = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-golden-" + name).path
        try actual.write(toFile: actualPath, atomically: true, encoding: .utf8)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        Issue.record("""
            \(name) differs from Golden/\(name) from line \(line + 1) (diff \(path) \(actualPath)):
            expected: \(line < expectedLines.count ? String(expectedLines[line].prefix(300)) : "<end of file>")
            actual:   \(line < actualLines.count ? String(actualLines[line].prefix(300)) : "<end of file>")
            """)
    }
}

/// The parts of a report that differ between two runs of the same scan: the scan time (in the forms
/// the six formats write it), the test API server's random port and where the clone lives.
struct Masks {
    var replacements: [(String, String)] = []

    init(json: String, server: String? = nil, source: String? = nil) throws {
        let scannedAt = try #require(
            json.firstMatch(of: #/"scannedAt" : "([^"]+)"/#).map { String($0.output.1) },
            "no scannedAt in the JSON report")
        replacements.append((scannedAt, "SCANNED-AT"))
        replacements.append((String(scannedAt.dropLast()), "SCANNED-AT"))  // JUnit's timestamp has no zone
        if let date = try? Date(scannedAt, strategy: .iso8601) {
            replacements.append(("lookout_scan_timestamp_seconds \(Int(date.timeIntervalSince1970))", "lookout_scan_timestamp_seconds SCANNED-AT"))
        }
        if let server { replacements.append((server, "https://API-SERVER")) }
        if let source { replacements.append((source, "DEMO")) }
    }

    func apply(to text: String) -> String {
        replacements.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}

/// A kube-apiserver + etcd (+ controller-manager) of one test's own, from the same harness as the
/// shared one.
struct DedicatedCluster {
    let state: String
    let kubeconfig: String
    let url: String
    let kubectlPath: String
    static let harnessPath = GoldenReportTests.repository + "/Tests/cluster/apiserver.sh"

    /// `apiServerArguments`: extra kube-apiserver flags (LOOKOUT_REALAPI_EXTRA_ARGS of the harness).
    init(apiServerArguments: String? = nil) throws {
        state = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-dedicated-\(UUID().uuidString)").path
        let log = state + ".log"
        var harnessEnvironment = ProcessInfo.processInfo.environment
        harnessEnvironment["LOOKOUT_REALAPI_EXTRA_ARGS"] = apiServerArguments
        let status = try Self.harness("start", state, log: log, environment: harnessEnvironment)
        guard status == 0 else {
            _ = try? Self.harness("stop", state, log: state + ".stop.log")
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw TestFailure("the dedicated API server did not start (\(status)): \(output.suffix(2000))")
        }
        let environment = try String(contentsOfFile: state + "/env", encoding: .utf8)
        func value(_ key: String) -> String {
            environment.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } ?? ""
        }
        kubeconfig = value("LOOKOUT_REALAPI_KUBECONFIG")
        url = value("LOOKOUT_REALAPI_URL")
        kubectlPath = value("LOOKOUT_REALAPI_KUBECTL")
    }

    /// Runs the harness with its output in a file and no other descriptor: Foundation's Process learns
    /// that a child ended when a socket the child inherits closes, and the servers the harness leaves
    /// running would inherit it too.
    static func harness(_ command: String, _ state: String, log: String, environment: [String: String]? = nil) throws -> Int32 {
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec bash "$0" "$@""#,
            harnessPath, command, state,
        ]
        process.standardInput = FileHandle.nullDevice
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func stop() {
        _ = try? Self.harness("stop", state, log: state + ".stop.log")
        try? FileManager.default.removeItem(atPath: state)
        for log in [state + ".log", state + ".stop.log"] { try? FileManager.default.removeItem(atPath: log) }
    }

    @discardableResult
    func kubectl(_ arguments: [String]) throws -> String {
        let result = try Run.process(kubectlPath, ["--kubeconfig", kubeconfig] + arguments)
        guard result.status == 0 else {
            throw TestFailure("kubectl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// Waits until the controller-manager has done all it will do with the applied objects: a default
    /// ServiceAccount, its token Secret and the kube-root-ca.crt ConfigMap in every namespace, and every
    /// ReplicaSet's Pods created. Without a scheduler nothing happens after that.
    func waitUntilControllersSettle() throws {
        let deadline = Date().addingTimeInterval(180)
        var pending = "nothing read yet"
        while Date() < deadline {
            let list = try JSONSerialization.jsonObject(
                with: Data(kubectl(["get", "namespaces,serviceaccounts,secrets,configmaps,deployments,replicasets,pods", "--all-namespaces", "-o", "json"]).utf8))
            let items = (list as? [String: Any])?["items"] as? [[String: Any]] ?? []
            pending = Self.unsettled(items)
            if pending.isEmpty { return }
            Thread.sleep(forTimeInterval: 1)
        }
        throw TestFailure("the controller-manager did not settle in 180 s: \(pending)")
    }

    static func unsettled(_ items: [[String: Any]]) -> String {
        func metadata(_ item: [String: Any]) -> [String: Any] { item["metadata"] as? [String: Any] ?? [:] }
        func named(_ kind: String) -> Set<String> {
            Set(items.filter { $0["kind"] as? String == kind }.map {
                "\(metadata($0)["namespace"] as? String ?? "")/\(metadata($0)["name"] as? String ?? "")"
            })
        }
        let namespaces = items.filter { $0["kind"] as? String == "Namespace" }.compactMap { metadata($0)["name"] as? String }
        let serviceAccounts = named("ServiceAccount"), configMaps = named("ConfigMap")
        let tokens = Set(items.filter { $0["kind"] as? String == "Secret" }.compactMap { secret -> String? in
            let annotations = metadata(secret)["annotations"] as? [String: String] ?? [:]
            return annotations["kubernetes.io/service-account.name"].map { "\(metadata(secret)["namespace"] as? String ?? "")/\($0)" }
        })
        var missing: [String] = []
        for namespace in namespaces {
            if !serviceAccounts.contains(namespace + "/default") { missing.append("ServiceAccount \(namespace)/default") }
            if !configMaps.contains(namespace + "/kube-root-ca.crt") { missing.append("ConfigMap \(namespace)/kube-root-ca.crt") }
        }
        missing += serviceAccounts.subtracting(tokens).sorted().map { "the token Secret of ServiceAccount \($0)" }
        func owned(_ kind: String, by owner: [String: Any]) -> Int {
            let uid = metadata(owner)["uid"] as? String
            return items.filter { item in
                item["kind"] as? String == kind
                    && (metadata(item)["ownerReferences"] as? [[String: Any]] ?? []).contains { $0["uid"] as? String == uid }
            }.count
        }
        for deployment in items where deployment["kind"] as? String == "Deployment" && owned("ReplicaSet", by: deployment) == 0 {
            missing.append("the ReplicaSet of Deployment \(metadata(deployment)["name"] as? String ?? "")")
        }
        for replicaSet in items where replicaSet["kind"] as? String == "ReplicaSet" {
            let wanted = (replicaSet["spec"] as? [String: Any])?["replicas"] as? Int ?? 1
            let pods = owned("Pod", by: replicaSet)
            if pods != wanted { missing.append("\(wanted - pods) Pods of ReplicaSet \(metadata(replicaSet)["name"] as? String ?? "")") }
        }
        if namespaces.isEmpty { missing.append("the namespaces") }
        return missing.joined(separator: ", ")
    }
}
