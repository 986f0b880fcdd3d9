@testable import Audit
import Admission
import ConsumerSupport
import Foundation
import Inventory
import Testing

/// The gate and the audit are the same rules: every generated policy, evaluated by a real CEL engine
/// (cel-python), denies exactly the objects its control fails, on every workload fixture of the
/// control's own unit tests, wrapped in every kind that has a pod template.
@Suite struct AdmissionGateTests {
    /// The test sources, split into suites: file, suite name and text.
    static func suites() throws -> [(file: String, name: String, text: String)] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var suites: [(String, String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for block in source.components(separatedBy: "\n@Suite").dropFirst() {
                guard let name = block.firstMatch(of: /^(?:\([^)]*\))? struct (\w+)/)?.1 else { continue }
                suites.append((file, String(name), block))
            }
        }
        return suites
    }

    @Test func everyTestOfTheSuitesIsListed() throws {
        let listed = Set(GateCorpus.tests.map { "\($0.suite).\($0.test)" }).union(GateCorpus.testsWithoutFixtures.keys)
        var declared: Set<String> = []
        for suite in try Self.suites() where GateCorpus.suites[suite.file]?.contains(suite.name) == true {
            for test in suite.text.matches(of: /@Test(?:\([^@]*?\))?\s*func (\w+)/) { declared.insert("\(suite.name).\(test.1)") }
        }
        #expect(declared.count > 70)
        #expect(declared.subtracting(listed).sorted() == [])
        #expect(listed.subtracting(declared).sorted() == [])
    }

    /// A suite added anywhere that runs a gated control joins the corpus (or says why not).
    @Test func everySuiteNamingAGatedControlIsInTheCorpus() throws {
        let corpus = Set(GateCorpus.suites.values.joined())
        let pattern = try Regex("\\.(" + GateCorpus.gatedControls.joined(separator: "|") + ")\\b")
        let naming = try Self.suites().filter { !$0.file.hasPrefix("Admission") && $0.text.contains(pattern) }.map(\.name)
        #expect(naming.count > 25)
        #expect(naming.filter { !corpus.contains($0) && GateCorpus.otherSuites[$0] == nil }.sorted() == [])
    }

    @Test func celVerdictEqualsTheControlOnEveryFixtureInEveryKind() throws {
        let recorder = FixtureRecorder()
        try FixtureRecorder.$current.withValue(recorder) {
            for test in GateCorpus.tests { try test.run() }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-gate-\(UUID().uuidString)")
        let policies = folder.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var groups: [GateGroup: String] = [:]
        var cases: [GateCase] = []
        var skipped: [String] = []
        for entry in recorder.entries {
            guard let control = Catalogue.control(id: entry.controlID) else { continue }
            let key = GateGroup(controlID: control.id, config: entry.config)
            if groups[key] == nil {
                let generated = AdmissionPolicyGenerator.generate(AdmissionPolicyRequest(controls: [control], config: entry.config))
                guard !generated.policies.isEmpty else { continue }
                let name = "g\(groups.count)"
                try generated.yaml.write(to: policies.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
                groups[key] = name
            }
            guard let group = groups[key] else { continue }
            let policy = "\(group)/lookout-\(control.id.lowercased())"
            // The SSH control's gate judges Services; every other one judges pod templates.
            let workloads = control.id == "C-0042" ? [] : AuditContext(snapshot: entry.snapshot, config: entry.config).workloads
            for workload in workloads {
                if let reason = GateObjects.rejectedByAPIServer(workload.podSpec) {
                    skipped.append("\(control.id) \(workload.name): \(reason)")
                    continue
                }
                for object in try GateObjects.wrappers(workload) {
                    let failed = try GateObjects.auditFails(control, object, entry.config)
                    cases.append(GateCase(policy: policy, controlID: control.id, object: object, failed: failed))
                }
            }
            if control.id == "C-0042" {
                for service in entry.snapshot.services {
                    let object = try GateObjects.json(service, apiVersion: "v1", kind: "Service")
                    let failed = !NetworkControls.sshServicePorts(service).isEmpty
                    cases.append(GateCase(policy: policy, controlID: control.id, object: object, failed: failed))
                }
            }
        }
        cases = GateCase.unique(cases)

        let casesFile = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: cases.enumerated().map { index, item in
            ["id": "\(index)", "policy": item.policy, "object": item.object, "namespace": "apps"] as [String: Any]
        }).write(to: casesFile)
        let objectsFile = folder.appendingPathComponent("objects.json")
        try JSONSerialization.data(withJSONObject: cases.map(\.object)).write(to: objectsFile)

        // The fixtures are objects a v1.36 API server accepts, so the verdicts are about real objects.
        _ = try Consumer.check(.kubernetesSchema, file: objectsFile.path)
        guard let summary = try Consumer.check(.cel, file: policies.path, fragment: casesFile.path) else { return }
        let results = summary["results"] as? [String: String] ?? [:]

        var mismatches: [String] = []
        var tally: [String: (denied: Int, admitted: Int)] = [:]
        for (index, item) in cases.enumerated() {
            let expected = item.failed ? "denied" : "admitted"
            let got = results["\(index)"] ?? "missing"
            if got != expected {
                let metadata = item.object["metadata"] as? [String: Any]
                mismatches.append("\(item.controlID) \(item.object["kind"] ?? "") \(metadata?["name"] ?? ""): audit \(item.failed ? "fails" : "passes"), CEL \(got)")
            }
            tally[item.controlID, default: (0, 0)].denied += item.failed ? 1 : 0
            tally[item.controlID, default: (0, 0)].admitted += item.failed ? 0 : 1
        }
        #expect(mismatches == [], "\(mismatches.count) of \(cases.count) verdicts differ:\n\(mismatches.prefix(40).joined(separator: "\n"))")
        // Every gated control was judged on objects it denies and objects it admits.
        let gated = ["C-0057", "C-0046", "C-0062", "C-0048", "C-0045", "C-0074", "C-0041", "C-0038", "C-0275", "C-0276", "C-0044",
                     "C-0013", "C-0016", "C-0017", "C-0055", "C-0210", "C-0009", "C-0270", "C-0271", "C-0268", "C-0269",
                     "C-0075", "C-0078", "C-0306", "C-0253", "C-0042"]
        for id in gated {
            #expect((tally[id]?.denied ?? 0) > 0 && (tally[id]?.admitted ?? 0) > 0, "\(id): \(tally[id].map { "\($0.denied) denied, \($0.admitted) admitted" } ?? "no fixture")")
        }
        print("admission gate: \(cases.count) objects, \(groups.count) policies, \(results.count) CEL verdicts, \(mismatches.count) mismatches; not judged: \(skipped)")
    }
}

struct GateGroup: Hashable {
    var controlID: String
    var config: ControlsConfig
}

struct GateCase {
    var policy: String
    var controlID: String
    var object: [String: Any]
    var failed: Bool

    /// The control tests share many fixtures: each object is judged once per policy.
    static func unique(_ cases: [GateCase]) -> [GateCase] {
        var seen = Set<String>()
        return cases.filter { item in
            let data = (try? JSONSerialization.data(withJSONObject: item.object, options: [.sortedKeys])) ?? Data()
            return seen.insert(item.policy + String(decoding: data, as: UTF8.self)).inserted
        }
    }
}

/// The API objects a fixture workload stands for, and the audit's verdict on each.
enum GateObjects {
    /// The API server validates objects before admission policies see them: such fixtures say nothing
    /// about the gate.
    static func rejectedByAPIServer(_ spec: PodSpec) -> String? {
        for volume in spec.volumes ?? [] {
            if let path = volume.hostPath?.path, path.split(separator: "/").contains("..") {
                return "hostPath \(path) contains '..', which the API server rejects"
            }
        }
        return nil
    }

    static func json<T: Encodable>(_ value: T, apiVersion: String, kind: String) throws -> [String: Any] {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any] ?? [:]
        object["apiVersion"] = apiVersion
        object["kind"] = kind
        return object
    }

    /// The workload's pod template in a Pod, ReplicationController, Deployment, ReplicaSet, StatefulSet,
    /// DaemonSet, Job and CronJob.
    static func wrappers(_ workload: Workload) throws -> [[String: Any]] {
        let spec = try JSONSerialization.jsonObject(with: JSONEncoder().encode(workload.podSpec)) as? [String: Any] ?? [:]
        let labels = workload.podLabels.isEmpty ? ["app": workload.name] : workload.podLabels
        let metadata: [String: Any] = ["name": workload.name, "namespace": "apps", "labels": labels]
        func template(_ spec: [String: Any]) -> [String: Any] { ["metadata": ["labels": labels], "spec": spec] }
        var runOnce = spec
        if runOnce["restartPolicy"] == nil { runOnce["restartPolicy"] = "Never" }
        let selector: [String: Any] = ["matchLabels": labels]
        return [
            ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec],
            ["apiVersion": "v1", "kind": "ReplicationController", "metadata": metadata, "spec": ["selector": labels, "template": template(spec)]],
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": ["selector": selector, "template": template(spec)]],
            ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": metadata, "spec": ["selector": selector, "template": template(spec)]],
            ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": metadata, "spec": ["selector": selector, "template": template(spec)]],
            ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": metadata, "spec": ["selector": selector, "template": template(spec)]],
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": ["template": template(runOnce)]],
            ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": metadata,
             "spec": ["schedule": "0 3 * * *", "jobTemplate": ["spec": ["template": template(runOnce)]]]],
        ]
    }

    /// The control's verdict on the object alone, as the audit decodes it from the API.
    static func auditFails(_ control: Control, _ object: [String: Any], _ config: ControlsConfig) throws -> Bool {
        let data = try JSONSerialization.data(withJSONObject: object)
        let decoder = JSONDecoder()
        var snapshot = Fixture.snapshot { _ in }
        switch object["kind"] as? String {
        case "Pod": snapshot.pods = [try decoder.decode(Pod.self, from: data)]
        case "ReplicationController": snapshot.replicationControllers = [try decoder.decode(ReplicationController.self, from: data)]
        case "Deployment": snapshot.deployments = [try decoder.decode(Deployment.self, from: data)]
        case "ReplicaSet": snapshot.replicaSets = [try decoder.decode(ReplicaSet.self, from: data)]
        case "StatefulSet": snapshot.statefulSets = [try decoder.decode(StatefulSet.self, from: data)]
        case "DaemonSet": snapshot.daemonSets = [try decoder.decode(DaemonSet.self, from: data)]
        case "Job": snapshot.jobs = [try decoder.decode(Job.self, from: data)]
        default: snapshot.cronJobs = [try decoder.decode(CronJob.self, from: data)]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        return !result.failed.isEmpty
    }
}
