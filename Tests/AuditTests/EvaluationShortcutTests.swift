@testable import Audit
import Inventory
import Testing

/// The shortcuts the audit context takes for speed must give what the plain computation gives.
@Suite struct EvaluationShortcutTests {
    /// What `String.contains` finds in the Audit module (the standard library's Character search; here,
    /// where Foundation is imported, `contains` would be Foundation's, which differs on "" and "\r\n").
    static func characterSearch(_ text: String, _ pattern: String) -> Bool {
        let text = Array(text), pattern = Array(pattern)
        guard pattern.count <= text.count else { return false }
        return (0...(text.count - pattern.count)).contains { Array(text[$0..<($0 + pattern.count)]) == pattern }
    }

    @Test func byteSearchFindsWhatCharacterSearchFinds() {
        let texts = ["kubernetes-dashboard", "", "a", "argocd-server-7f9", "café", "cafe\u{301}", "x\r\ny", "x\ny", "ÄDMIN", "grafana/grafana", "aaab"]
        let patterns = ["", "a", "dashboard", "kubernetes-dashboard-long", "argocd-server", "é", "e", "\r", "\n", "\r\n", "\ny", "x\r", "ab", "aab", "ä", "grafana/"]
        for text in texts {
            for pattern in patterns {
                #expect(text.containsSubstring(pattern) == Self.characterSearch(text, pattern), "\(text.debugDescription) contains \(pattern.debugDescription)")
            }
        }
    }

    /// Two workloads with the same identity (manifests may hold duplicates) and kinds, namespaces and
    /// names that sort differently from the order the snapshot lists them in.
    static let snapshot = Fixture.snapshot { snapshot in
        for (index, namespace) in ["b", "a", "c", "a", "b"].enumerated() {
            snapshot.deployments.append(Fixture.deployment(
                "app-\(5 - index)", namespace: namespace, replicas: index,
                containers: [Container(name: "app", image: "nginx:1.\(index)")]))
            let image = index == 2 ? "Not A Reference" : "registry.example:5000/app@sha256:\(index)"
            snapshot.pods.append(Fixture.pod(index == 3 ? "dup" : "pod-\(index)", namespace: namespace, containers: [Container(name: "app", image: image)]))
        }
        snapshot.pods.append(Fixture.pod("dup", namespace: "a", containers: [Container(name: "app", image: "redis")]))
    }

    @Test func workloadVerdictsComeSortedAsTheResultSortsThem() {
        let context = AuditContext(snapshot: Self.snapshot)
        // Tells the two "dup" Pods apart, so the test sees whether equal identities keep their order.
        let check: (Workload) -> Failure? = { Failure(message: $0.podSpec.containers[0].image ?? "", evidence: []) }
        guard case .evaluated(let verdicts) = context.evaluateWorkloads(check) else {
            Issue.record("workload controls evaluate")
            return
        }
        let plain = context.workloads.map { ResourceVerdict(resource: $0.ref, weight: $0.weight, failure: check($0)) }
        #expect(verdicts == plain.sorted { $0.resource < $1.resource })
        #expect(verdicts.map(\.resource.name).filter { $0 == "dup" }.count == 2)
    }

    @Test func imagesParsedOnceParseAsImageReference() {
        let context = AuditContext(snapshot: Self.snapshot)
        let images = context.workloads.flatMap { $0.podSpec.allContainers.compactMap(\.container.image) } + ["not-in-the-snapshot:1"]
        for image in images {
            #expect(context.imageReference(image) == ImageReference(image), "\(image)")
        }
        #expect(context.imageReferences.count == Set(images).count - 1)
    }
}

extension EvaluationShortcutTests {
    @Test func resourceCountsAreThoseOfEveryVerdict() {
        let result = Auditor.run(Catalogue.controls, frameworks: [], in: AuditContext(snapshot: Self.snapshot))
        let verdicts = result.results.flatMap(\.verdicts)
        let failed = Set(verdicts.filter(\.isFailed).map(\.resource))
        #expect(result.resourceCounts == (Set(verdicts.map(\.resource)).count, failed.count))
        #expect(failed.count > 3, "the fixture must fail some resources, not only pass them")
    }
}

extension EvaluationShortcutTests {
    @Test func existingRolesAreThoseASearchFinds() {
        let snapshot = Fixture.snapshot { snapshot in
            snapshot.clusterRoles = [Fixture.clusterRole("view", rules: [])]
            snapshot.roles = [Role(metadata: Fixture.meta("reader", namespace: "a"), rules: [])]
        }
        let roles = ExistingRoles(snapshot)
        let references = [
            RelatedObject(kind: "ClusterRole", name: "view"), RelatedObject(kind: "ClusterRole", name: "reader"),
            RelatedObject(kind: "Role", namespace: "a", name: "reader"), RelatedObject(kind: "Role", namespace: "b", name: "reader"),
            RelatedObject(kind: "Role", name: "reader"), RelatedObject(kind: "Role", namespace: "a", name: "view"),
            RelatedObject(kind: "Unknown", name: "x"),
        ]
        #expect(references.map(roles.contains) == [true, false, true, false, false, false, true])
    }
}
