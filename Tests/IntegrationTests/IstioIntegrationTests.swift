import Foundation
import ManifestFixtures
import Reports
import Testing

/// Istio's Gateway and VirtualService are optional kinds: read when the API server serves them (here
/// through CustomResourceDefinitions in the real API server), and a VirtualService on a public gateway
/// exposes the workload behind its Service (C-0266, C-0256).
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct IstioIntegrationTests {
    static func definition(_ kind: String, plural: String) -> String {
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: \(plural).networking.istio.io}
        spec:
          group: networking.istio.io
          names: {kind: \(kind), listKind: \(kind)List, plural: \(plural), singular: \(kind.lowercased())}
          scope: Namespaced
          versions:
          - name: v1beta1
            served: true
            storage: true
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """
    }

    static func manifest(_ ns: String) -> String {
        """
        \(Manifest.workload(name: "web", namespace: ns, podSpec: #"containers: [{name: web, image: "nginx:1.25"}]"#))
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: \(ns)}
        spec:
          selector: {app: web}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ingressgateway, namespace: \(ns)}
        spec:
          type: LoadBalancer
          selector: {istio: ingressgateway-\(ns)}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: Gateway
        metadata: {name: public, namespace: \(ns)}
        spec:
          selector: {istio: ingressgateway-\(ns)}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: web, namespace: \(ns)}
        spec:
          hosts: ["*"]
          gateways: [public]
          http:
          - route:
            - destination: {host: web.\(ns).svc.cluster.local, port: {number: 80}}
        """
    }

    @Test func virtualServiceOnAPublicGatewayExposesTheWorkload() throws {
        let cluster = try TestCluster.require()
        try cluster.apply(Self.definition("Gateway", plural: "gateways") + "\n---\n" + Self.definition("VirtualService", plural: "virtualservices"))
        _ = try cluster.kubectl([
            "wait", "--for=condition=established", "--timeout=60s",
            "crd/gateways.networking.istio.io", "crd/virtualservices.networking.istio.io",
        ])
        let ns = try cluster.makeNamespace("istio")
        try cluster.apply(Self.manifest(ns))
        let result = try Run.lookout([
            "scan", "control", "C-0266,C-0256", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try ScanReport.decode(Data(result.stdout.utf8))
        #expect(report.errors.isEmpty, "\(report.errors)")
        for id in ["C-0266", "C-0256"] {
            let findings = report.findings.filter { $0.controlID == id && $0.status == "failed" && $0.resource.namespace == ns }
            #expect(findings.map(\.resource.name) == ["web"], "\(id)")
            #expect(findings.first?.evidence == ["exposed by VirtualService \(ns)/web"], "\(id)")
        }
    }
}
