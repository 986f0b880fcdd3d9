@testable import Audit
import Foundation
import Inventory

/// Builders for the Tier 2 families' tests: nodes with kubelet configurations as configz serves them,
/// admin UIs and the objects that expose them, webhooks, Trivy reports.
enum Tier2Fixture {
    /// A kubelet configuration decoded from a configz `kubeletconfig` object, the way the collector gets it.
    static func kubelet(_ json: String) -> KubeletConfiguration {
        do {
            return try JSONDecoder().decode(KubeletConfiguration.self, from: Data(json.utf8))
        } catch {
            fatalError("bad kubelet configuration fixture: \(error)")
        }
    }

    /// What tests/cluster/fake-kubelet.py's secure profile serves (the fields controls read).
    static let secureKubelet = kubelet("""
        {"authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}, "webhook": {"enabled": true}, "anonymous": {"enabled": false}},
         "authorization": {"mode": "Webhook"}, "rotateCertificates": true, "streamingConnectionIdleTimeout": "4h0m0s",
         "protectKernelDefaults": true, "makeIPTablesUtilChains": true, "eventRecordQPS": 5}
        """)

    /// The insecure profile: false booleans and a zero port are left out, as the real kubelet's
    /// omitempty does.
    static let insecureKubelet = kubelet("""
        {"authentication": {"x509": {}, "webhook": {"enabled": false}, "anonymous": {"enabled": true}},
         "authorization": {"mode": "AlwaysAllow"}, "readOnlyPort": 10255, "eventRecordQPS": 0,
         "streamingConnectionIdleTimeout": "0s", "makeIPTablesUtilChains": false}
        """)

    static func node(_ name: String, kubeletVersion: String? = "v1.30.2") -> Node {
        Node(metadata: Fixture.meta(name, namespace: nil), status: Node.Status(nodeInfo: Node.NodeInfo(kubeletVersion: kubeletVersion)))
    }

    /// A snapshot with the given nodes and what reading each one's configz produced.
    static func nodes(_ entries: [(name: String, configuration: KubeletConfiguration?, error: String?)]) -> ClusterSnapshot {
        Fixture.snapshot {
            $0.nodes = entries.map { node($0.name) }
            $0.kubeletConfigurations = entries.map {
                NodeKubeletConfiguration(node: $0.name, configuration: $0.configuration, error: $0.error)
            }
        }
    }

    static func nodeRef(_ name: String) -> ResourceRef {
        ResourceRef(apiVersion: "v1", kind: "Node", namespace: nil, name: name)
    }

    static func deployment(
        _ name: String, namespace: String = "apps", image: String = "registry.example/app:1.0", args: [String]? = nil,
        labels: [String: String] = ["app": "web"], serviceAccount: String? = nil
    ) -> Deployment {
        var container = Container(name: "app", image: image)
        container.args = args
        var deployment = Fixture.deployment(name, namespace: namespace, containers: [container], labels: labels)
        deployment.spec.template.spec.serviceAccountName = serviceAccount
        return deployment
    }

    static func deploymentRef(_ name: String, namespace: String = "apps") -> ResourceRef {
        ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: namespace, name: name)
    }

    static func service(_ name: String, namespace: String = "apps", type: String? = nil, selector: [String: String] = ["app": "web"]) -> Service {
        Service(metadata: Fixture.meta(name, namespace: namespace), spec: Service.Spec(type: type, selector: selector, ports: [ServicePort(port: 443)]))
    }

    static func ingress(_ name: String, namespace: String = "apps", service: String) -> Ingress {
        Ingress(
            metadata: Fixture.meta(name, namespace: namespace),
            spec: Ingress.Spec(rules: [Ingress.Rule(host: "admin.example.com", http: Ingress.HTTPRule(paths: [Ingress.Path(path: "/", backend: IngressBackend(serviceName: service))]))]))
    }

    static func namespace(_ name: String, labels: [String: String]? = nil) -> Namespace {
        Namespace(metadata: Fixture.meta(name, namespace: nil, labels: labels))
    }

    static func namespaceRef(_ name: String) -> ResourceRef {
        ResourceRef(apiVersion: "v1", kind: "Namespace", namespace: nil, name: name)
    }

    static func webhook(
        _ name: String, failurePolicy: String? = "Fail", namespaceSelector: LabelSelector? = nil, objectSelector: LabelSelector? = nil
    ) -> Webhook {
        var webhook = Webhook(name: name, failurePolicy: failurePolicy, namespaceSelector: namespaceSelector)
        webhook.objectSelector = objectSelector
        return webhook
    }

    static func webhookConfiguration(_ name: String, _ webhooks: [Webhook]) -> WebhookConfiguration {
        WebhookConfiguration(metadata: Fixture.meta(name, namespace: nil), webhooks: webhooks)
    }

    static func validatingRef(_ name: String) -> ResourceRef {
        ResourceRef(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", namespace: nil, name: name)
    }

    static func mutatingRef(_ name: String) -> ResourceRef {
        ResourceRef(apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", namespace: nil, name: name)
    }

    /// A Trivy Operator report as the operator writes it: labelled with the scanned object and container.
    static func vulnerabilityReport(
        _ name: String, namespace: String = "apps", kind: String, object: String, container: String = "app", critical: Int,
        image: (repository: String, tag: String) = ("library/nginx", "1.14")
    ) -> VulnerabilityReport {
        let json = """
            {"metadata": {"name": "\(name)", "namespace": "\(namespace)",
                          "labels": {"trivy-operator.resource.kind": "\(kind)", "trivy-operator.resource.name": "\(object)",
                                     "trivy-operator.resource.namespace": "\(namespace)", "trivy-operator.container.name": "\(container)"}},
             "report": {"artifact": {"repository": "\(image.repository)", "tag": "\(image.tag)"},
                        "summary": {"criticalCount": \(critical), "highCount": 7}}}
            """
        do {
            return try JSONDecoder().decode(VulnerabilityReport.self, from: Data(json.utf8))
        } catch {
            fatalError("bad report fixture: \(error)")
        }
    }

    static func evidence(_ verdicts: [ResourceVerdict]) -> [String] { verdicts.flatMap { $0.failure?.evidence ?? [] } }
}
