@testable import Audit
import Inventory
import Testing

/// The secure and insecure kubelets of Tests/cluster/fake-kubelet.py on two nodes: the insecure one fails.
private let mixed = Tier2Fixture.nodes([
    ("good", Tier2Fixture.secureKubelet, nil), ("bad", Tier2Fixture.insecureKubelet, nil),
])

@Suite struct KubeletAnonymousAuthenticationTests {
    @Test(arguments: [NodeControls.anonymousKubeletAccess, NodeControls.kubeletAnonymousAuthentication])
    func failsTheKubeletThatAcceptsAnonymousRequests(control: Control) {
        let result = Fixture.run(control, on: mixed)
        #expect(result.all == [Tier2Fixture.nodeRef("bad"), Tier2Fixture.nodeRef("good")])
        #expect(result.failed == [Tier2Fixture.nodeRef("bad")])
        let failure = result.verdicts.first { $0.failure != nil }?.failure
        #expect(failure?.evidence == ["kubeletconfig.authentication.anonymous.enabled=true"])
        #expect(failure?.message == "Node bad (kubelet v1.30.2): the kubelet accepts anonymous requests")
    }

    @Test func passesExplicitlyDisabled() {
        let snapshot = Tier2Fixture.nodes([("n1", Tier2Fixture.secureKubelet, nil)])
        let result = Fixture.run(NodeControls.kubeletAnonymousAuthentication, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all == [Tier2Fixture.nodeRef("n1")])
    }

    /// Kubescape fails anything but an explicit false; the flag's default is true.
    @Test func unsetCountsAsEnabled() {
        let snapshot = Tier2Fixture.nodes([("n1", Tier2Fixture.kubelet(#"{"authentication": {"webhook": {"enabled": true}}}"#), nil)])
        let result = Fixture.run(NodeControls.anonymousKubeletAccess, on: snapshot)
        #expect(result.failed == [Tier2Fixture.nodeRef("n1")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "kubeletconfig.authentication.anonymous.enabled is not set (the --anonymous-auth flag defaults to true)"
        ])
    }

    @Test func kubescapeAndLookoutControlsShareMetadataWhereTheyShould() {
        #expect(NodeControls.anonymousKubeletAccess.frameworks == ["NSA", "MITRE", "ArmoBest", "security"])
        #expect(NodeControls.kubeletClientTLS.frameworks == ["NSA", "MITRE", "ArmoBest", "security"])
        #expect(NodeControls.anonymousKubeletAccess.baseScore == 10)
        #expect(NodeControls.kubeletClientTLS.baseScore == 9)
        let lookout = [
            NodeControls.kubeletAnonymousAuthentication, NodeControls.kubeletAlwaysAllow, NodeControls.kubeletReadOnlyPort,
            NodeControls.kubeletClientCA, NodeControls.kubeletHardening,
        ]
        #expect(lookout.map(\.id) == ["LO-010", "LO-011", "LO-012", "LO-013", "LO-014"])
        #expect(lookout.map(\.baseScore) == [10, 9, 6, 9, 4])
        #expect(lookout.allSatisfy { $0.frameworks == ["lookout"] })
        #expect(NodeControls.all.count == 7)
        #expect(NodeControls.all.allSatisfy { $0.reads == [.nodes] && !$0.example.isEmpty && ($0.notes ?? "").contains("needs nodes/proxy") })
    }
}

@Suite struct KubeletAlwaysAllowTests {
    let control = NodeControls.kubeletAlwaysAllow

    @Test func failsAlwaysAllow() {
        let result = Fixture.run(control, on: mixed)
        #expect(result.failed == [Tier2Fixture.nodeRef("bad")])
        #expect(Tier2Fixture.evidence(result.verdicts) == ["kubeletconfig.authorization.mode=AlwaysAllow"])
    }

    @Test func passesWebhook() {
        let result = Fixture.run(control, on: Tier2Fixture.nodes([("n1", Tier2Fixture.secureKubelet, nil)]))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Unset means the flag's default, AlwaysAllow; another mode (Node, RBAC-like custom) passes.
    @Test func unsetFailsAndOtherModesPass() {
        let snapshot = Tier2Fixture.nodes([
            ("unset", Tier2Fixture.kubelet(#"{"authorization": {}}"#), nil),
            ("other", Tier2Fixture.kubelet(#"{"authorization": {"mode": "Webhook,Node"}}"#), nil),
        ])
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.nodeRef("unset")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "kubeletconfig.authorization.mode is not set (the --authorization-mode flag defaults to AlwaysAllow)"
        ])
    }
}

@Suite struct KubeletReadOnlyPortTests {
    let control = NodeControls.kubeletReadOnlyPort

    @Test func failsOpenPort() {
        let result = Fixture.run(control, on: mixed)
        #expect(result.failed == [Tier2Fixture.nodeRef("bad")])
        #expect(Tier2Fixture.evidence(result.verdicts) == ["kubeletconfig.readOnlyPort=10255"])
    }

    /// configz leaves a zero port out: the secure profile has no readOnlyPort at all.
    @Test func passesOmittedPort() {
        let result = Fixture.run(control, on: Tier2Fixture.nodes([("n1", Tier2Fixture.secureKubelet, nil)]))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    @Test func explicitZeroPasses() {
        let result = Fixture.run(control, on: Tier2Fixture.nodes([("n1", Tier2Fixture.kubelet(#"{"readOnlyPort": 0}"#), nil)]))
        #expect(result.failed.isEmpty)
        #expect(result.all == [Tier2Fixture.nodeRef("n1")])
    }
}

@Suite struct KubeletClientCATests {
    @Test(arguments: [NodeControls.kubeletClientTLS, NodeControls.kubeletClientCA])
    func failsMissingClientCA(control: Control) {
        let result = Fixture.run(control, on: mixed)
        #expect(result.failed == [Tier2Fixture.nodeRef("bad")])
        #expect(Tier2Fixture.evidence(result.verdicts) == ["kubeletconfig.authentication.x509.clientCAFile is not set"])
    }

    @Test func passesWithClientCA() {
        let result = Fixture.run(NodeControls.kubeletClientCA, on: Tier2Fixture.nodes([("n1", Tier2Fixture.secureKubelet, nil)]))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    @Test func blankFileNameFails() {
        let snapshot = Tier2Fixture.nodes([("n1", Tier2Fixture.kubelet(#"{"authentication": {"x509": {"clientCAFile": "  "}}}"#), nil)])
        #expect(Fixture.run(NodeControls.kubeletClientTLS, on: snapshot).failed == [Tier2Fixture.nodeRef("n1")])
    }
}

@Suite struct KubeletHardeningTests {
    let control = NodeControls.kubeletHardening

    /// One evidence line per weak setting; false booleans left out of configz count as false.
    @Test func failsEachWeakSettingOnItsOwnLine() {
        let result = Fixture.run(control, on: mixed)
        #expect(result.failed == [Tier2Fixture.nodeRef("bad")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "kubeletconfig.protectKernelDefaults is not set (false)",
            "kubeletconfig.makeIPTablesUtilChains=false",
            "kubeletconfig.rotateCertificates is not set (false)",
            "kubeletconfig.streamingConnectionIdleTimeout=0s",
        ])
    }

    @Test func passesHardenedKubelet() {
        let result = Fixture.run(control, on: Tier2Fixture.nodes([("n1", Tier2Fixture.secureKubelet, nil)]))
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// An explicit false is named as such; unset makeIPTablesUtilChains and idle timeout keep the
    /// kubelet's defaults (true, 4h); "0h0m0s" is zero, "5m0s" and "0.5s" are not.
    @Test func explicitValuesAndDefaults() {
        let snapshot = Tier2Fixture.nodes([
            ("a", Tier2Fixture.kubelet(#"{"protectKernelDefaults": false, "rotateCertificates": true, "streamingConnectionIdleTimeout": "0h0m0s"}"#), nil),
            ("b", Tier2Fixture.kubelet(#"{"protectKernelDefaults": true, "rotateCertificates": true, "streamingConnectionIdleTimeout": "5m0s"}"#), nil),
        ])
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.nodeRef("a")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "kubeletconfig.protectKernelDefaults=false", "kubeletconfig.streamingConnectionIdleTimeout=0h0m0s",
        ])
        #expect(NodeControls.isZeroDuration("0s") && NodeControls.isZeroDuration("0"))
        #expect(!NodeControls.isZeroDuration("0.5s") && !NodeControls.isZeroDuration("4h0m0s") && !NodeControls.isZeroDuration(""))
    }
}

/// When configurations are missing, the family never passes: it skips with the reason, or leaves the
/// unreadable nodes out.
@Suite struct KubeletConfigurationAvailabilityTests {
    @Test(arguments: NodeControls.all)
    func skippedWithoutNodeProxyPermission(control: Control) {
        var snapshot = Fixture.snapshot { $0.nodes = [Tier2Fixture.node("n1")] }
        snapshot.kubeletConfigurationUnavailable = "needs nodes/proxy"
        #expect(Fixture.run(control, on: snapshot).skipped == "needs nodes/proxy")
    }

    @Test func skippedWhenNotCollected() {
        let snapshot = Fixture.snapshot { $0.nodes = [Tier2Fixture.node("n1")] }
        #expect(Fixture.run(NodeControls.kubeletReadOnlyPort, on: snapshot).skipped == "kubelet configurations were not collected")
    }

    @Test func skippedWhenNodesAreForbidden() {
        var snapshot = Tier2Fixture.nodes([("n1", Tier2Fixture.insecureKubelet, nil)])
        snapshot.collected.remove(.nodes)
        snapshot.errors = [CollectionError(resource: "nodes", reason: "forbidden", message: "no")]
        #expect(Fixture.run(NodeControls.anonymousKubeletAccess, on: snapshot).skipped == "forbidden: nodes")
    }

    /// A node whose kubelet did not answer cannot be judged: the others are, and the result names it.
    @Test func unreadableNodeIsNamedWhileOthersAreJudged() {
        let snapshot = Tier2Fixture.nodes([
            ("bad", Tier2Fixture.insecureKubelet, nil), ("down", nil, "timed out after 10 s"),
        ])
        let result = Fixture.run(NodeControls.kubeletAnonymousAuthentication, on: snapshot)
        #expect(result.skipped == nil)
        #expect(result.all == [Tier2Fixture.nodeRef("bad")])
        #expect(result.failed == [Tier2Fixture.nodeRef("bad")])
        let named = Auditor.run([NodeControls.kubeletAnonymousAuthentication], frameworks: [], in: AuditContext(snapshot: snapshot))
        #expect(named.results[0].unjudged == "1 of 2 nodes not judged, their kubelet configuration could not be read: down: timed out after 10 s")
    }

    /// One readable node of many passing does not make the control pass silently: the report names the rest.
    @Test func passingOnOneReadableNodeNamesTheUnreadOnes() {
        let snapshot = Tier2Fixture.nodes([("ok", Tier2Fixture.secureKubelet, nil)] + (1...99).map { ("n\($0)", nil, "connection refused") })
        let result = Auditor.run([NodeControls.kubeletReadOnlyPort], frameworks: [], in: AuditContext(snapshot: snapshot)).results[0]
        #expect(result.status == .passed)
        #expect(result.unjudged?.hasPrefix("99 of 100 nodes not judged, their kubelet configuration could not be read: n1: connection refused; n2:") == true)
        #expect(result.unjudged?.hasSuffix("; and 96 more") == true)
    }

    @Test func skippedWithEachNodesReasonWhenNoneIsReadable() {
        let snapshot = Tier2Fixture.nodes([
            ("n1", nil, "timed out after 10 s"), ("n2", nil, "HTTP 503 from /api/v1/nodes/n2/proxy/configz: no endpoints"),
            ("n3", nil, "x"), ("n4", nil, "y"), ("n5", nil, "z"),
        ])
        #expect(Fixture.run(NodeControls.kubeletHardening, on: snapshot).skipped
            == "no kubelet configuration could be read: n1: timed out after 10 s; n2: HTTP 503 from /api/v1/nodes/n2/proxy/configz: no endpoints; n3: x; and 2 more")
    }

    @Test func clusterWithoutNodesHasNothingToFail() {
        let result = Fixture.run(NodeControls.kubeletAlwaysAllow, on: Tier2Fixture.nodes([]))
        #expect(result.skipped == nil)
        #expect(result.all.isEmpty)
    }
}
