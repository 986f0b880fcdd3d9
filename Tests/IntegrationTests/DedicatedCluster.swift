import Foundation

/// A kube-apiserver + etcd (+ controller-manager) of one test's own, from the same harness as the
/// shared one.
struct DedicatedCluster {
    let state: String
    /// The cluster as the shared one is seen, read from the env file the harness wrote.
    let cluster: TestCluster
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
        guard let cluster = TestCluster.load(state: state) else {
            _ = try? Self.harness("stop", state, log: state + ".stop.log")
            throw TestFailure("the dedicated API server wrote no readable \(state)/env")
        }
        self.cluster = cluster
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

    /// Waits until the controller-manager has done all it will do with the applied objects: a default
    /// ServiceAccount, its token Secret and the kube-root-ca.crt ConfigMap in every namespace, and every
    /// ReplicaSet's Pods created. Without a scheduler nothing happens after that.
    func waitUntilControllersSettle() throws {
        let deadline = Date().addingTimeInterval(180)
        var pending = "nothing read yet"
        while Date() < deadline {
            let list = try JSONSerialization.jsonObject(
                with: Data(cluster.kubectl(["get", "namespaces,serviceaccounts,secrets,configmaps,deployments,replicasets,pods", "--all-namespaces", "-o", "json"]).utf8))
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
