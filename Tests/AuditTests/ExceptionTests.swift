@testable import Audit
import Inventory
import Testing

@Suite struct ExceptionTests {
    let snapshot = Fixture.snapshot {
        $0.pods = [
            Fixture.pod("agent", namespace: "kube-system", containers: [Fixture.container(securityContext: SecurityContext(privileged: true))]),
            Fixture.pod("shell", namespace: "apps", containers: [Fixture.container(securityContext: SecurityContext(privileged: true))],
                        labels: ["team": "infra"]),
        ]
    }
    let control = WorkloadPrivilegeControls.privilegedContainer

    func run(_ exceptions: [PostureException]) -> AuditResult {
        Auditor.run([control], frameworks: [], in: AuditContext(snapshot: snapshot), exceptions: exceptions)
    }

    @Test func exceptedResourceCountsAsPassedAndNamesTheException() {
        let exception = PostureException(
            name: "system-agents", resources: [.init(attributes: ["namespace": "kube-.*", "kind": "Pod"])],
            posturePolicies: [.init(controlID: "C-0057")])
        let result = run([exception]).results[0]
        #expect(result.failedResources == 1)
        #expect(result.complianceScore == 50)
        #expect(result.verdicts.first { $0.resource.name == "agent" }?.exception == "system-agents")
        #expect(result.verdicts.first { $0.resource.name == "shell" }?.exception == nil)
    }

    @Test func allFailuresExceptedMakesTheControlPass() {
        let exception = PostureException(name: "all", resources: [.init(attributes: ["name": "agent|shell"])])
        let result = run([exception])
        #expect(result.results[0].status == .passed)
        #expect(result.results[0].complianceScore == 100)
        #expect(result.unusedExceptions.isEmpty)
    }

    /// Patterns match whole values, labels match exactly, and a framework policy covers its controls.
    @Test func patternsAreAnchoredLabelsExactFrameworksCovered() {
        let partial = PostureException(name: "partial", resources: [.init(attributes: ["namespace": "kube"])])
        let byLabel = PostureException(
            name: "by-label", resources: [.init(attributes: ["team": "infra"])], posturePolicies: [.init(frameworkName: "NSA")])
        let otherFramework = PostureException(
            name: "devops", resources: [.init(attributes: ["name": ".*"])], posturePolicies: [.init(frameworkName: "DevOpsBest")])
        let result = run([partial, byLabel, otherFramework])
        #expect(result.results[0].verdicts.first { $0.resource.name == "shell" }?.exception == "by-label")
        #expect(result.results[0].verdicts.first { $0.resource.name == "agent" }?.exception == nil)
        #expect(result.unusedExceptions == ["partial", "devops"])
    }
}
