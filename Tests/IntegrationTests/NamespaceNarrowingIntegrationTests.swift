import Foundation
import Reports
import Testing

/// `--exclude-namespaces` and `--include-namespaces` narrow the LISTs on the API server (the audit log
/// shows what was asked for) and judge the same objects as filtering after the download would.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct NamespaceNarrowingIntegrationTests {
    @Test func scopesNarrowTheListsOnTheServer() throws {
        let cluster = try TestCluster.require()
        let inside = try cluster.makeNamespace("narrow-in")
        let outside = try cluster.makeNamespace("narrow-out")
        try cluster.apply(TestCluster.privilegedDeployment(namespace: inside) + "\n---\n" + TestCluster.privilegedDeployment(namespace: outside))
        try cluster.kubectl(["apply", "-f", ScanIntegrationTests.repositoryRoot + "/rbac/clusterrole.yaml"])
        try cluster.bindServiceAccount("narrower", namespace: inside, clusterRole: "lookout-reader")
        let token = try cluster.token(namespace: inside, serviceAccount: "narrower")
        let folder = try TempDirectory()
        let kubeconfig = try cluster.kubeconfig(
            in: folder.path, name: "token", cluster: "    server: \(cluster.url)\n    certificate-authority: \(cluster.caPath)",
            user: "    token: \(token)")
        let user = "system:serviceaccount:\(inside):narrower"

        let included = try Run.lookout(["scan", "control", "C-0057", "--kubeconfig", kubeconfig, "--include-namespaces", inside, "--format", "json"])
        let includedReport = try ScanReport.decode(Data(included.stdout.utf8))
        #expect(Set(includedReport.findings.map(\.resource.namespace)) == [inside], "\(included.stderr)")
        let podLists = try cluster.auditEvents(user: user).filter { $0.verb == "list" && $0.resource == "pods" }
        #expect(!podLists.isEmpty && podLists.allSatisfy { $0.requestURI.hasPrefix("/api/v1/namespaces/\(inside)/pods?") }, "\(podLists)")

        let excluded = try Run.lookout(["scan", "control", "C-0057", "--kubeconfig", kubeconfig, "--exclude-namespaces", "\(outside),kube-system", "--format", "json"])
        let excludedReport = try ScanReport.decode(Data(excluded.stdout.utf8))
        #expect(excludedReport.findings.contains { $0.resource.namespace == inside }, "\(excluded.stderr)")
        #expect(!excludedReport.findings.contains { [outside, "kube-system"].contains($0.resource.namespace) })
        let narrowed = try cluster.auditEvents(user: user).filter {
            $0.verb == "list" && $0.resource == "deployments" && $0.requestURI.hasPrefix("/apis/apps/v1/deployments?")
        }
        let selector = "fieldSelector=metadata.namespace!=kube-system,metadata.namespace!=\(outside)"
        #expect(narrowed.contains { ($0.requestURI.removingPercentEncoding ?? "").contains(selector) }, "\(narrowed)")
    }
}
