@testable import Audit
import Inventory
import Testing

@Suite struct ProbeTests {
    @Test func readinessFailsContainerWithoutProbe() {
        var container = HygieneFixture.probed()
        container.readinessProbe = nil
        let snapshot = Fixture.snapshot { $0.deployments = [HygieneFixture.deployment("web", containers: [HygieneFixture.probed("a"), container])] }
        let result = Fixture.run(WorkloadHygieneControls.readinessProbe, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[1].readinessProbe is not set"])
    }

    @Test func livenessFailsContainerWithoutProbe() {
        var container = HygieneFixture.probed()
        container.livenessProbe = nil
        let result = Fixture.run(WorkloadHygieneControls.livenessProbe, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [container])] })
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result) == ["spec.containers[0].livenessProbe is not set"])
    }

    @Test(arguments: [WorkloadHygieneControls.readinessProbe, WorkloadHygieneControls.livenessProbe])
    func passesProbedContainers(control: Control) {
        let snapshot = Fixture.snapshot {
            $0.statefulSets = [StatefulSet(metadata: Fixture.meta("db"), spec: ReplicatedWorkloadSpec(template: PodTemplate(spec: PodSpec(containers: [HygieneFixture.probed()]))))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.map(\.kind) == ["StatefulSet"])
    }

    /// Jobs, CronJobs and Pods a Job created run to completion and are not judged; init containers
    /// need no probe.
    @Test(arguments: [WorkloadHygieneControls.readinessProbe, WorkloadHygieneControls.livenessProbe])
    func judgesLongRunningWorkloadsOnly(control: Control) {
        var pod = Fixture.pod("web", containers: [HygieneFixture.probed()])
        pod.spec.initContainers = [HygieneFixture.container("init")]
        let snapshot = Fixture.snapshot {
            $0.jobs = [HygieneFixture.job("migrate", containers: [HygieneFixture.container()])]
            $0.cronJobs = [HygieneFixture.cronJob("nightly", containers: [HygieneFixture.container()])]
            $0.pods = [pod, Fixture.pod("orphan-job-pod", containers: [HygieneFixture.container()], owner: OwnerReference(kind: "Job", name: "gone"))]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.all.map(\.name) == ["web"])
        #expect(result.failed.isEmpty)
    }
}
