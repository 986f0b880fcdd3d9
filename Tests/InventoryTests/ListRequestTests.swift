@testable import Inventory
import Testing

/// What the collector asks the API server for under each scope: the server leaves out what the scan
/// would drop anyway.
@Suite struct ListRequestTests {
    let prefix = "/api/v1"

    @Test func anUnscopedScanListsEachKindOnce() {
        #expect(NamespaceScope().listRequests(prefix: prefix, kind: .pods) == [ListRequest(path: "/api/v1/pods")])
    }

    @Test func excludedNamespacesBecomeAFieldSelector() {
        let scope = NamespaceScope(excluded: ["kube-system", "kube-public"])
        #expect(scope.listRequests(prefix: prefix, kind: .pods) == [
            ListRequest(path: "/api/v1/pods", fieldSelector: "metadata.namespace!=kube-public,metadata.namespace!=kube-system")
        ])
    }

    @Test func aShortIncludeListIsOneListPerNamespace() {
        let scope = NamespaceScope(included: ["shop", "billing", "shop", "gone"], excluded: ["gone"])
        #expect(scope.listRequests(prefix: prefix, kind: .configmaps) == [
            ListRequest(path: "/api/v1/namespaces/billing/configmaps"), ListRequest(path: "/api/v1/namespaces/shop/configmaps"),
        ])
    }

    @Test func aLongIncludeListIsOneListFilteredHere() {
        let scope = NamespaceScope(included: (0...NamespaceScope.maxNamespacedLists).map { "team-\($0)" })
        #expect(scope.listRequests(prefix: prefix, kind: .pods) == [ListRequest(path: "/api/v1/pods")])
    }

    @Test func clusterScopedKindsAreListedWhole() {
        let scope = NamespaceScope(included: ["shop"], excluded: ["kube-system"])
        #expect(scope.listRequests(prefix: "/apis/rbac.authorization.k8s.io/v1", kind: .clusterrolebindings) == [
            ListRequest(path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")
        ])
        #expect(scope.listRequests(prefix: prefix, kind: .namespaces) == [ListRequest(path: "/api/v1/namespaces")])
    }
}
