@testable import Audit
import Inventory
import KubeClient
import Testing

@Suite struct PermissionForecastTests {
    /// Answers every collector requirement with `allowed`, except those `denied` names.
    func preflight(denying denied: Set<String>) -> PermissionPreflight {
        PermissionPreflight(
            server: "https://cluster.example",
            checks: PermissionPreflight.collectorRequirements().map { requirement in
                let name = requirement.attributes.subresource.map { "\(requirement.attributes.resource)/\($0)" }
                    ?? requirement.attributes.resource
                return PermissionPreflight.Check(requirement: requirement, decision: AccessDecision(allowed: !denied.contains(name)))
            })
    }

    @Test func everyPermissionSkipsNothing() {
        #expect(preflight(denying: []).skippedControls(Catalogue.controls).isEmpty)
    }

    /// The forecast names exactly the controls that read the denied kind, with the scan's own reason.
    @Test func aDeniedKindSkipsTheControlsThatReadIt() {
        let skipped = preflight(denying: ["networkpolicies"]).skippedControls(Catalogue.controls)
        let expected = Catalogue.controls.filter { $0.reads.contains(.networkpolicies) }.map(\.id)
        #expect(!expected.isEmpty)
        #expect(skipped.map(\.control.id) == expected)
        #expect(skipped.allSatisfy { $0.reason == "forbidden: networkpolicies" })
        #expect(skipped.map(\.control.id).contains("C-0054"))
    }

    @Test func aDeniedNodeProxySkipsTheNodeConfigControls() {
        let skipped = preflight(denying: ["nodes/proxy"]).skippedControls(Catalogue.controls)
        #expect(Set(skipped.map(\.control.id)) == ["LO-010", "LO-011", "LO-012", "LO-013", "LO-014", "C-0069", "C-0070"])
        #expect(skipped.allSatisfy { $0.reason == KubeletConfigCollector.needsNodeProxy })
    }

    /// A denied kind is recorded exactly as the collector records a 403.
    @Test func expectedSnapshotMirrorsTheCollector() {
        let snapshot = preflight(denying: ["pods", "nodes/proxy"]).expectedSnapshot
        #expect(snapshot.collected == Set(ResourceKind.allCases).subtracting([.pods]))
        #expect(snapshot.unavailableReason(.pods) == "forbidden: pods")
        #expect(snapshot.kubeletConfigurations == nil)
        #expect(snapshot.kubeletConfigurationUnavailable == "needs nodes/proxy")
    }
}
