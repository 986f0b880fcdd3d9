@testable import Audit
import Inventory
import Synchronization
import Testing

/// `Auditor.run` evaluates the controls on every core at once, then applies the exceptions. Its outcome
/// must be exactly that of running the catalogue one control after another: the same results in the same
/// order, the same verdicts in the same order, the same exceptions on the same failures and the same
/// exceptions reported unused, on every snapshot the control tests use and on larger ones.
@Suite struct ConcurrentEvaluationTests {
    /// What one control's result says, comparable.
    struct Observed: Equatable, CustomStringConvertible {
        var id: String
        var status: ControlStatus
        var skipReason: String?
        var unjudged: String?
        var verdicts: [ResourceVerdict]
        var admission: AdmissionCoverage?
        var failedResources: Int
        var weightedFailed: Double
        var weightedAll: Double

        init(_ result: ControlResult) {
            (id, status, skipReason, unjudged, verdicts) = (result.control.id, result.status, result.skipReason, result.unjudged, result.verdicts)
            (admission, failedResources, weightedFailed, weightedAll) = (result.admission, result.failedResources, result.weightedFailed, result.weightedAll)
        }

        init(
            id: String, status: ControlStatus, skipReason: String?, unjudged: String?, verdicts: [ResourceVerdict],
            admission: AdmissionCoverage?, baseScore: Double
        ) {
            (self.id, self.status, self.skipReason, self.unjudged, self.verdicts) = (id, status, skipReason, unjudged, verdicts)
            self.admission = admission
            failedResources = verdicts.count(where: \.isFailed)
            weightedFailed = baseScore * verdicts.reduce(0) { $0 + ($1.isFailed ? $1.weight : 0) }
            weightedAll = baseScore * verdicts.reduce(0) { $0 + $1.weight }
        }

        var description: String { "\(id) \(status) \(verdicts.count) verdicts, \(failedResources) failed" }
    }

    /// The reference: the catalogue judged one control after another on this thread, each control's
    /// verdicts sorted and its failures offered to the exceptions before the next control runs.
    static func oneAfterAnother(
        _ controls: [Control], in context: AuditContext, exceptions: [PostureException]
    ) -> (results: [Observed], unused: [String]) {
        let matcher = ExceptionMatcher(exceptions)
        let enforcement = AdmissionEnforcement(context: context)
        var labels = ReportedLabels(context)
        var used = Set<String>()
        let results = controls.map { control in
            let admission = enforcement.coverage(of: control)
            let (judged, unjudged): ([ResourceVerdict], String?)
            switch control.run(in: context) {
            case .skipped(let reason):
                return Observed(id: control.id, status: .skipped, skipReason: reason, unjudged: nil, verdicts: [], admission: admission, baseScore: control.baseScore)
            case .evaluated(let verdicts): (judged, unjudged) = (verdicts, nil)
            case .partial(let verdicts, let reason): (judged, unjudged) = (verdicts, reason)
            }
            var verdicts = judged.sorted { $0.resource < $1.resource }
            for index in verdicts.indices where verdicts[index].failure != nil {
                let resource = verdicts[index].resource
                verdicts[index].exception = matcher.match(
                    control: control, resource: resource, cluster: context.snapshot.cluster.context, labels: { labels.labels(of: resource) })
                if let name = verdicts[index].exception { used.insert(name) }
            }
            let status: ControlStatus = verdicts.isEmpty ? .notApplicable : verdicts.contains(where: \.isFailed) ? .failed : .passed
            return Observed(id: control.id, status: status, skipReason: nil, unjudged: unjudged, verdicts: verdicts, admission: admission, baseScore: control.baseScore)
        }
        return (results, exceptions.map(\.name).filter { !used.contains($0) })
    }

    /// Runs the catalogue both ways on the snapshot and compares; returns the concurrent result.
    @discardableResult
    static func expectSameOutcome(
        on snapshot: ClusterSnapshot, config: ControlsConfig = ControlsConfig(), exceptions: [PostureException] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> AuditResult {
        let context = AuditContext(snapshot: snapshot, config: config)
        let controls = Catalogue.controls
        let reported = Mutex<[(done: Int, total: Int)]>([])
        let concurrent = Auditor.run(
            controls, frameworks: Framework.all, in: context, exceptions: exceptions,
            progress: { done, total in reported.withLock { $0.append((done, total)) } })
        let reference = oneAfterAnother(controls, in: context, exceptions: exceptions)
        let observed = concurrent.results.map(Observed.init)
        #expect(observed.map(\.id) == reference.results.map(\.id), sourceLocation: sourceLocation)
        for (got, expected) in zip(observed, reference.results) where got != expected {
            Issue.record("\(expected.id): concurrently \(got), one after another \(expected)", sourceLocation: sourceLocation)
        }
        #expect(concurrent.unusedExceptions == reference.unused, sourceLocation: sourceLocation)
        let progress = reported.withLock { $0 }
        #expect(progress.map(\.done) == Array(1...controls.count), "progress counts up by one", sourceLocation: sourceLocation)
        #expect(progress.allSatisfy { $0.total == controls.count }, sourceLocation: sourceLocation)
        return concurrent
    }

    @Test func everySnapshotTheGatedControlTestsUse() throws {
        let recorder = FixtureRecorder()
        try FixtureRecorder.$current.withValue(recorder) {
            for test in GateCorpus.tests { try test.run() }
        }
        let entries = recorder.entries
        #expect(entries.count > 50, "the control tests' fixtures were recorded")
        for entry in entries { Self.expectSameOutcome(on: entry.snapshot, config: entry.config) }
    }

    @Test func theRichSnapshotWithAndWithoutExceptions() throws {
        let snapshot = try ReadsContractTests.richSnapshot()
        Self.expectSameOutcome(on: snapshot)
        let exceptions = [
            PostureException(name: "shop-workloads", resources: [.init(attributes: ["namespace": "demo-.*", "kind": "Deployment|Pod"])]),
            PostureException(
                name: "web-by-label", resources: [.init(attributes: ["app": "web"])], posturePolicies: [.init(frameworkName: "NSA")]),
            PostureException(
                name: "dashboard", resources: [.init(attributes: ["name": "kubernetes-dashboard.*"])], posturePolicies: [.init(controlID: "C-00.*")]),
            PostureException(name: "never", resources: [.init(attributes: ["name": "no-such-object"])]),
        ]
        let result = Self.expectSameOutcome(on: snapshot, exceptions: exceptions)
        let excepted = result.results.flatMap(\.verdicts).filter { $0.exception != nil }
        #expect(Set(excepted.compactMap(\.exception)).count >= 2, "exceptions matched failures: \(Set(excepted.compactMap(\.exception)))")
        #expect(result.unusedExceptions == ["never"])
    }

    /// Hundreds of workloads in a few namespaces, failing and passing different controls, with exceptions
    /// by name, namespace and label: enough work that the controls overlap on the cores.
    @Test func aLargerClusterWithExceptions() {
        let snapshot = Fixture.snapshot { snapshot in
            snapshot.namespaces = (0..<4).map { Namespace(metadata: Fixture.meta("ns-\($0)", namespace: nil)) }
            for index in 0..<400 {
                let namespace = "ns-\(index % 4)"
                var container = Container(name: "app", image: index % 3 == 0 ? "nginx:latest" : "registry.example/app@sha256:\(index)")
                container.securityContext = SecurityContext(privileged: index % 5 == 0, runAsNonRoot: index % 2 == 0)
                if index % 7 == 0 { container.ports = [ContainerPort(containerPort: 22, hostPort: 2222)] }
                if index % 2 == 0 {
                    snapshot.deployments.append(Fixture.deployment("app-\(index)", namespace: namespace, replicas: index % 4, containers: [container], labels: ["app": "a\(index % 9)"]))
                } else {
                    snapshot.pods.append(Fixture.pod("pod-\(index)", namespace: namespace, containers: [container], labels: ["team": index % 3 == 0 ? "infra" : "web"]))
                }
            }
            snapshot.services = (0..<20).map { index in
                Service(metadata: Fixture.meta("svc-\(index)", namespace: "ns-\(index % 4)"), spec: Service.Spec(type: index % 2 == 0 ? "LoadBalancer" : "ClusterIP", selector: ["app": "a\(index % 9)"]))
            }
        }
        let exceptions = [
            PostureException(name: "infra", resources: [.init(attributes: ["team": "infra"])]),
            PostureException(name: "ns-1", resources: [.init(attributes: ["namespace": "ns-1"])], posturePolicies: [.init(controlID: "C-0057")]),
            PostureException(name: "unused", resources: [.init(attributes: ["kind": "CronJob"])]),
        ]
        let result = Self.expectSameOutcome(on: snapshot, exceptions: exceptions)
        #expect(result.results.flatMap(\.verdicts).count > 4_000)
        #expect(result.unusedExceptions == ["unused"])
    }

    @Test func anEmptySnapshotAndTheShortcutFixture() {
        Self.expectSameOutcome(on: Fixture.snapshot { _ in })
        Self.expectSameOutcome(on: EvaluationShortcutTests.snapshot)
    }
}

@Suite struct ConcurrentMapTests {
    @Test func keepsTheOrderAndCountsCompletionsUpByOne() {
        let done = Mutex<[Int]>([])
        let squares = Array(0..<1_000).concurrentMap(completed: { count in done.withLock { $0.append(count) } }) { $0 * $0 }
        #expect(squares == (0..<1_000).map { $0 * $0 })
        #expect(done.withLock { $0 } == Array(1...1_000))
    }

    @Test func slicesKeepTheirIndicesAndEmptyInputsGiveNothing() {
        let numbers = Array(0..<10)
        #expect(numbers[3..<7].concurrentMap { $0 } == [3, 4, 5, 6])
        #expect([Int]().concurrentMap { $0 } == [])
    }
}
