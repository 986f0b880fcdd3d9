@testable import Audit
import Inventory
import Testing

@Suite struct ResourceQuantityTests {
    @Test(arguments: [
        ("500m", 0.5), ("1", 1), ("1.5", 1.5), ("512Mi", 512 * 1_048_576), ("1G", 1e9), ("2e3", 2000), ("1Ki", 1024),
        ("0.1", 0.1), ("100m", 0.1), (".5", 0.5), ("5.", 5), ("+2", 2), ("-1", -1), ("1E", 1e18), ("1E3", 1000),
        ("2e-3", 0.002), ("1Ei", 1_152_921_504_606_846_976), ("1.5Gi", 1.5 * 1_073_741_824), ("250k", 250_000), ("0", 0),
    ] as [(String, Double)])
    func parses(text: String, value: Double) throws {
        let quantity = try #require(ResourceQuantity(text))
        #expect(quantity.value == value)
        #expect(quantity.text == text)
    }

    @Test(arguments: ["", "Mi", "1.2.3", "1 Gi", "1gi", "1KB", "abc", "1e", "1e+", "--1", "1m2", "1e99999", "."])
    func rejects(text: String) {
        #expect(ResourceQuantity(text) == nil)
    }

    @Test func comparesAcrossUnits() throws {
        let values = try ["1", "500m", "1.5", "2e3", "1k"].map { try #require(ResourceQuantity($0)) }
        #expect(values.sorted().map(\.text) == ["500m", "1", "1.5", "1k", "2e3"])
        #expect(try #require(ResourceQuantity("1Gi")) > #require(ResourceQuantity("1G")))
        #expect(try #require(ResourceQuantity("1G")) > #require(ResourceQuantity("512Mi")))
        #expect(try #require(ResourceQuantity("2e3")) == #require(ResourceQuantity("2k")))
    }
}

@Suite struct ResourceLimitsTests {
    let control = WorkloadHygieneControls.resourceLimits

    @Test func failsContainerWithoutMemoryLimit() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [HygieneFixture.container(limits: ["cpu": "1"])])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[0].resources.limits.memory is not set"])
    }

    @Test func passesContainerWithBothLimits() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.resourced()])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// An init container without limits fails; an ephemeral one cannot have resources and is ignored.
    @Test func checksInitContainersButNotEphemeralOnes() {
        var pod = Fixture.pod("p", containers: [HygieneFixture.resourced()])
        pod.spec.initContainers = [HygieneFixture.container("init")]
        pod.spec.ephemeralContainers = [HygieneFixture.container("debug")]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.initContainers[0].resources.limits.cpu is not set", "spec.initContainers[0].resources.limits.memory is not set",
        ])
    }
}

@Suite struct CPULimitAndRequestTests {
    let control = WorkloadHygieneControls.cpuLimitAndRequest

    @Test func failsMissingRequest() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("web", containers: [HygieneFixture.container(limits: ["cpu": "1"])])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["web"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[0].resources.requests.cpu is not set"])
    }

    @Test func passesWithinDefaultBounds() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.resourced()])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Bounds compare values across units ("1500m" > "1"), and an unparsable quantity is evidence.
    @Test func comparesBoundsByValueAndReportsUnparsableQuantities() {
        var config = ControlsConfig()
        config.cpuLimitMax = ["1"]
        config.cpuRequestMin = ["100m"]
        let snapshot = Fixture.snapshot {
            $0.deployments = [
                HygieneFixture.deployment("big", containers: [HygieneFixture.container(limits: ["cpu": "1500m"], requests: ["cpu": "0.05"])]),
                HygieneFixture.deployment("odd", containers: [HygieneFixture.container(limits: ["cpu": "lots"], requests: ["cpu": "0.1"])]),
                HygieneFixture.deployment("fits", containers: [HygieneFixture.container(limits: ["cpu": "1"], requests: ["cpu": "0.1"])]),
            ]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(result.failed.map(\.name) == ["big", "odd"])
        let evidence = Dictionary(uniqueKeysWithValues: result.verdicts.map { ($0.resource.name, $0.failure?.evidence ?? []) })
        #expect(evidence["big"] == [
            "spec.template.spec.containers[0].resources.limits.cpu=1500m is above cpu_limit_max 1",
            "spec.template.spec.containers[0].resources.requests.cpu=0.05 is below cpu_request_min 100m",
        ])
        #expect(evidence["odd"] == ["spec.template.spec.containers[0].resources.limits.cpu=lots is not a Kubernetes quantity"])
    }

    @Test func reportsUnparsableBoundFromConfig() {
        var config = ControlsConfig()
        config.cpuLimitMax = ["two cores"]
        let snapshot = Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.resourced()])] }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(HygieneFixture.evidence(result) == [
            "spec.containers[0].resources.limits.cpu=500m cannot be compared with cpu_limit_max \"two cores\" from controls-config: not a Kubernetes quantity",
        ])
    }
}

@Suite struct MemoryLimitAndRequestTests {
    let control = WorkloadHygieneControls.memoryLimitAndRequest

    @Test func failsMissingLimitAndRequest() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.container()])] })
        #expect(result.failed.map(\.name) == ["p"])
        #expect(HygieneFixture.evidence(result) == [
            "spec.containers[0].resources.limits.memory is not set", "spec.containers[0].resources.requests.memory is not set",
        ])
    }

    @Test func passesWithinBounds() {
        var config = ControlsConfig()
        config.memoryLimitMax = ["1Gi"]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [Fixture.pod("p", containers: [HygieneFixture.resourced()])] }, config: config)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// "1G" is below "1Gi" by value although Kubescape's string comparison cannot order them.
    @Test func comparesBinaryAndDecimalUnits() {
        var config = ControlsConfig()
        config.memoryLimitMax = ["1G"]
        let snapshot = Fixture.snapshot {
            $0.pods = [Fixture.pod("p", containers: [HygieneFixture.container(limits: ["memory": "1Gi"], requests: ["memory": "1G"])])]
        }
        let result = Fixture.run(control, on: snapshot, config: config)
        #expect(HygieneFixture.evidence(result) == ["spec.containers[0].resources.limits.memory=1Gi is above memory_limit_max 1G"])
    }
}

@Suite struct SingleResourceFieldTests {
    /// Each presence-only control checks exactly its own field.
    @Test(arguments: [
        (WorkloadHygieneControls.cpuLimits, "resources.limits.cpu"),
        (WorkloadHygieneControls.memoryLimits, "resources.limits.memory"),
        (WorkloadHygieneControls.cpuRequests, "resources.requests.cpu"),
        (WorkloadHygieneControls.memoryRequests, "resources.requests.memory"),
    ])
    func failsOnlyItsOwnMissingField(control: Control, field: String) {
        let section = field.split(separator: ".")[1]
        let resource = String(field.split(separator: ".")[2])
        var values = ["cpu": "1", "memory": "1Gi"]
        values[resource] = nil
        let missing = HygieneFixture.container(
            limits: section == "limits" ? values : ["cpu": "1", "memory": "1Gi"],
            requests: section == "requests" ? values : ["cpu": "1", "memory": "1Gi"])
        let snapshot = Fixture.snapshot {
            $0.deployments = [HygieneFixture.deployment("bad", containers: [missing]), HygieneFixture.deployment("good", containers: [HygieneFixture.resourced()])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.map(\.name) == ["bad"])
        #expect(HygieneFixture.evidence(result) == ["spec.template.spec.containers[0].\(field) is not set"])
    }

    @Test(arguments: [
        WorkloadHygieneControls.cpuLimits, WorkloadHygieneControls.memoryLimits, WorkloadHygieneControls.cpuRequests,
        WorkloadHygieneControls.memoryRequests,
    ])
    func passesFullyResourcedCronJob(control: Control) {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.cronJobs = [HygieneFixture.cronJob("nightly", containers: [HygieneFixture.resourced()])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.map(\.kind) == ["CronJob"])
    }

    /// Evidence paths follow the CronJob's nested pod template, and init containers count.
    @Test(arguments: [
        (WorkloadHygieneControls.cpuLimits, "resources.limits.cpu"),
        (WorkloadHygieneControls.memoryRequests, "resources.requests.memory"),
    ])
    func reportsCronJobInitContainerPath(control: Control, field: String) {
        var cronJob = HygieneFixture.cronJob("nightly", containers: [HygieneFixture.resourced()])
        cronJob.spec.jobTemplate.spec.template.spec.initContainers = [HygieneFixture.container("migrate")]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.cronJobs = [cronJob] })
        #expect(HygieneFixture.evidence(result) == ["spec.jobTemplate.spec.template.spec.initContainers[0].\(field) is not set"])
    }
}
