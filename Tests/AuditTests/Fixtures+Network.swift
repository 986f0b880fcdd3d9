@testable import Audit
import Inventory
import Testing

/// Builders for the network family's tests (the admission tests use `namespace` too).
enum NetFixture {
    /// A control as a test argument, shown by its ID in test output.
    struct Case: Sendable, CustomTestStringConvertible {
        let control: Control
        var testDescription: String { control.id }
    }

    static func cases(_ controls: [Control]) -> [Case] { controls.map(Case.init) }

    static func namespace(_ name: String, labels: [String: String]? = nil) -> Namespace {
        Namespace(metadata: Fixture.meta(name, namespace: nil, labels: labels))
    }

    static func service(
        _ name: String, namespace: String = "apps", type: String? = nil, selector: [String: String]? = ["app": "web"],
        ports: [ServicePort] = [ServicePort(port: 80)]
    ) -> Service {
        Service(metadata: Fixture.meta(name, namespace: namespace), spec: Service.Spec(type: type, selector: selector, ports: ports))
    }

    static func port(_ port: Int, target: IntOrString? = nil) -> ServicePort { ServicePort(port: port, targetPort: target) }

    static func policy(
        _ name: String, namespace: String = "apps", selector: LabelSelector = LabelSelector(), types: [String]? = nil
    ) -> NetworkPolicy {
        NetworkPolicy(metadata: Fixture.meta(name, namespace: namespace), spec: NetworkPolicy.Spec(podSelector: selector, policyTypes: types))
    }

    static func ciliumPolicy(_ name: String, namespace: String?, selector: LabelSelector, ingress: Bool = true) -> CiliumPolicy {
        CiliumPolicy(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: CiliumPolicy.Rule(endpointSelector: selector, ingress: ingress ? [Present()] : nil))
    }

    static func daemonSet(_ name: String, namespace: String = "kube-system", images: [String], args: [String]? = nil) -> DaemonSet {
        let containers = images.enumerated().map { index, image in
            var container = Container(name: "c\(index)", image: image)
            container.args = args
            return container
        }
        return DaemonSet(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: DaemonSet.Spec(template: PodTemplate(labels: ["k8s-app": name], spec: PodSpec(containers: containers))))
    }

    static func ingress(_ name: String, namespace: String = "apps", service: String = "web", tls: [Present]? = nil) -> Ingress {
        Ingress(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: Ingress.Spec(
                rules: [Ingress.Rule(host: "shop.example.com", http: Ingress.HTTPRule(paths: [Ingress.Path(path: "/", backend: IngressBackend(serviceName: service))]))],
                tls: tls))
    }

    static func route(_ name: String, namespace: String = "apps", backend: String, backendNamespace: String? = nil) -> Route {
        Route(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: Route.Spec(rules: [Route.Spec.Rule(backendRefs: [Route.Spec.BackendRef(name: backend, namespace: backendNamespace)])]))
    }

    /// A snapshot where the cluster serves no Gateway API route kind.
    /// A cluster that serves neither Gateway API routes nor Istio's networking kinds.
    static func withoutGatewayAPI(_ build: (inout ClusterSnapshot) -> Void) -> ClusterSnapshot {
        var snapshot = Fixture.snapshot(build)
        for kind in exposureKinds { snapshot.collected.remove(kind) }
        return snapshot
    }

    /// Marks `kind` as served but forbidden to the scanning credentials.
    static func forbid(_ kind: ResourceKind, in snapshot: inout ClusterSnapshot) {
        snapshot.collected.remove(kind)
        snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: "forbidden", message: "denied"))
    }

    static func evidence(_ verdicts: [ResourceVerdict]) -> [String] { verdicts.flatMap { $0.failure?.evidence ?? [] } }
}
