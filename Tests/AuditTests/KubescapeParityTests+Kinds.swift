@testable import Audit
import Inventory
import ManifestFixtures
import Testing

/// ReplicationControllers are workloads; CronJobs' selectors are judged (mismatching-selector tests
/// `replicationcontroller` and `batch`).
@Suite struct ReplicationControllerParityTests {
    static func controller(selector: String, labels: String, extra: String = "") -> String {
        """
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: mismatching-selector-rc}
        spec:
          replicas: 3
          selector: \(selector)
          template:
            metadata:
              labels: \(labels)
            spec:
        \(extra)
              containers: [{name: nginx, image: 'nginx:1.25'}]
        """
    }

    @Test func mismatchingSelectorFails() throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.mismatchingSelector, Self.controller(selector: "{app: nginx}", labels: "{app: web}"))
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "ReplicationController", namespace: "default", name: "mismatching-selector-rc")])
        #expect(result.verdicts.first?.failure?.evidence == ["spec.selector.app=nginx but spec.template.metadata.labels.app=web"])
    }

    @Test func matchingSelectorPasses() throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.mismatchingSelector, Self.controller(selector: "{app: nginx}", labels: "{app: nginx, tier: web}"))
        #expect(result.all.count == 1)
        #expect(result.failed.isEmpty)
    }

    @Test func deprecatedServiceAccountFieldIsJudged() throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.deprecatedServiceAccountField,
            Self.controller(selector: "{app: nginx}", labels: "{app: nginx}", extra: "      serviceAccount: builder"))
        #expect(result.failed.map(\.kind) == ["ReplicationController"])
        #expect(result.verdicts.first?.failure?.evidence == ["spec.template.spec.serviceAccount=builder without spec.template.spec.serviceAccountName"])
    }

    /// Every workload control sees the controller, weighted by its replicas; its pods are not reported twice.
    @Test func workloadControlsJudgeItAndNotItsPods() throws {
        let snapshot = try KubescapeInput.snapshot(
            Self.controller(selector: "{app: nginx}", labels: "{app: nginx}", extra: "      hostNetwork: true") + """

            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: mismatching-selector-rc-x7k2p
              ownerReferences: [{apiVersion: v1, kind: ReplicationController, name: mismatching-selector-rc, uid: u}]
            spec:
              hostNetwork: true
              containers: [{name: nginx, image: 'nginx:1.25'}]
            """)
        let result = Fixture.run(WorkloadPrivilegeControls.hostNetworkAccess, on: snapshot)
        #expect(result.failed.map(\.kind) == ["ReplicationController"])
        #expect(result.verdicts.first?.weight == 3 * 1.1)
        #expect(WorkloadPrivilegeControls.hostNetworkAccess.reads.contains(.replicationcontrollers))
    }

    @Test func cronJobSelectorIsJudged() throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.mismatchingSelector, """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: '0 0 * * *'
              jobTemplate:
                spec:
                  selector:
                    matchLabels: {job: nightly}
                    matchExpressions: [{key: tier, operator: In, values: [batch]}]
                  manualSelector: true
                  template:
                    metadata: {labels: {job: other, tier: web}}
                    spec:
                      restartPolicy: Never
                      containers: [{name: job, image: 'busybox:1.36'}]
            """)
        #expect(result.failed.map(\.name) == ["nightly"])
        #expect(result.verdicts.first?.failure?.evidence == [
            "spec.jobTemplate.spec.selector.matchLabels.job=nightly but spec.jobTemplate.spec.template.metadata.labels.job=other",
            "spec.jobTemplate.spec.selector.matchExpressions[0] (tier in (batch)) does not match: spec.jobTemplate.spec.template.metadata.labels.tier=web",
        ])
    }
}

/// C-0257 / C-0258 (workload-mounted-pvc, workload-mounted-configmap): the claim or ConfigMap is looked up
/// in the workload's own namespace only.
@Suite struct MountedObjectNamespaceParityTests {
    static func pod(namespace: String, volume: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: mypod, namespace: \(namespace)}
        spec:
          containers:
          - name: myfrontend
            image: nginx
            volumeMounts: [{mountPath: /var/www/html, name: mypd}]
          volumes:
          - name: mypd
            \(volume)
        """
    }

    static func object(_ kind: String, namespace: String) -> String {
        "apiVersion: v1\nkind: \(kind)\nmetadata: {name: myclaim, namespace: \(namespace)}\n"
    }

    @Test func claimInTheSameNamespaceIsListed() throws {
        let result = try KubescapeInput.run(
            WorkloadPrivilegeControls.persistentVolumeClaimAccess,
            Self.pod(namespace: "namespace1", volume: "persistentVolumeClaim: {claimName: myclaim}") + "\n---\n"
                + Self.object("PersistentVolumeClaim", namespace: "namespace1"))
        #expect(result.failed.map(\.name) == ["mypod"])
    }

    @Test func claimInAnotherNamespaceIsNot() throws {
        let result = try KubescapeInput.run(
            WorkloadPrivilegeControls.persistentVolumeClaimAccess,
            Self.pod(namespace: "namespace1", volume: "persistentVolumeClaim: {claimName: myclaim}") + "\n---\n"
                + Self.object("PersistentVolumeClaim", namespace: "namespace2"))
        #expect(result.all.count == 1)
        #expect(result.failed.isEmpty)
    }

    @Test func configMapIsLookedUpInTheWorkloadsNamespace() throws {
        let pod = Self.pod(namespace: "namespace1", volume: "configMap: {name: myclaim}")
        let same = try KubescapeInput.run(WorkloadPrivilegeControls.configMapAccess, pod + "\n---\n" + Self.object("ConfigMap", namespace: "namespace1"))
        #expect(same.failed.map(\.name) == ["mypod"])
        let other = try KubescapeInput.run(WorkloadPrivilegeControls.configMapAccess, pod + "\n---\n" + Self.object("ConfigMap", namespace: "namespace2"))
        #expect(other.all.count == 1)
        #expect(other.failed.isEmpty)
    }
}

/// C-0266 (exposure-to-internet-via-istio-ingress, test failed_with_istiogw): a VirtualService on a Gateway
/// whose ingress pods a LoadBalancer Service exposes.
@Suite struct IstioExposureParityTests {
    static let deployment = """
        \(Manifest.workload(name: "nginx", podSpec: "containers: [{name: nginx, image: 'nginx:1.25'}]"))
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: nginx}
        spec:
          selector: {app: nginx}
          ports: [{protocol: TCP, port: 80, targetPort: 80}]
        """

    static func ingressGateway(type: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: istio-ingressgateway
          namespace: istio-system
          labels: {app: istio-ingressgateway, istio: ingressgateway}
        spec:
          type: \(type)
          selector: {app: istio-ingressgateway, istio: ingressgateway}
          ports: [{name: http2, port: 80, targetPort: 8080}]
        """
    }

    static let gateway = """
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: nginx-gateway}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]
        """

    static func virtualService(gateways: String = "[nginx-gateway]", host: String = "nginx") -> String {
        """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: nginx}
        spec:
          hosts: ['*']
          gateways: \(gateways)
          http:
          - route:
            - destination: {host: \(host), port: {number: 80}}
        """
    }

    static func run(_ documents: String...) throws -> (failed: [String], evidence: [String]?) {
        let result = try KubescapeInput.run(NetworkControls.gatewayAPIExposure, documents.joined(separator: "\n---\n"))
        #expect(result.skipped == nil)
        return (result.failed.map(\.name), result.verdicts.first { $0.failure != nil }?.failure?.evidence)
    }

    @Test func virtualServiceOnAPublicGatewayExposesTheWorkload() throws {
        let result = try Self.run(Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway, Self.virtualService())
        #expect(result.failed == ["nginx"])
        #expect(result.evidence == ["exposed by VirtualService default/nginx"])
    }

    @Test(arguments: ["nginx.default", "nginx.default.svc", "nginx.default.svc.cluster.local"])
    func qualifiedHostsResolve(host: String) throws {
        #expect(try Self.run(Self.deployment, Self.ingressGateway(type: "NodePort"), Self.gateway, Self.virtualService(host: host)).failed == ["nginx"])
    }

    @Test func namespacedGatewayReference() throws {
        #expect(try Self.run(
            Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway,
            Self.virtualService(gateways: "[default/nginx-gateway]")).failed == ["nginx"])
        #expect(try Self.run(
            Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway,
            Self.virtualService(gateways: "[other/nginx-gateway]")).failed.isEmpty)
    }

    @Test func internalGatewayMeshOrOtherServicePasses() throws {
        #expect(try Self.run(Self.deployment, Self.ingressGateway(type: "ClusterIP"), Self.gateway, Self.virtualService()).failed.isEmpty)
        #expect(try Self.run(Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway, Self.virtualService(gateways: "[mesh]")).failed.isEmpty)
        #expect(try Self.run(Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway, Self.virtualService(host: "other.default")).failed.isEmpty)
        #expect(try Self.run(Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway, Self.virtualService(host: "nginx.other")).failed.isEmpty)
    }

    /// Kubescape's `failed_with_beta_multiservice`: a gateway named `…public` (here in another namespace,
    /// referenced as `namespace/name`) with a ClusterIP Service of its pods is public.
    @Test func publicNamedGatewayWithItsServiceIsPublic() throws {
        let gateway = Self.gateway.replacingOccurrences(of: "name: nginx-gateway", with: "name: api-public, namespace: kt-connections")
        #expect(try Self.run(
            Self.deployment, Self.ingressGateway(type: "ClusterIP"), gateway,
            Self.virtualService(gateways: "[kt-connections/prod-lan-gateway, kt-connections/api-public]", host: "nginx.default.svc.cluster.local")
        ).failed == ["nginx"])
        #expect(try Self.run(Self.deployment, gateway, Self.virtualService(gateways: "[kt-connections/api-public]")).failed.isEmpty)
    }

    /// The ingress gateway's own Deployment, exposed by a Service selecting it, makes the Gateway public.
    @Test func gatewayPodsFoundThroughTheirWorkload() throws {
        let gatewayWorkload = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: istio-ingressgateway, namespace: istio-system}
            spec:
              selector: {matchLabels: {app: istio-ingressgateway}}
              template:
                metadata: {labels: {app: istio-ingressgateway, istio: ingressgateway}}
                spec:
                  containers: [{name: istio-proxy, image: 'istio/proxyv2:1.24.0'}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ingress, namespace: istio-system}
            spec:
              type: LoadBalancer
              selector: {app: istio-ingressgateway}
              ports: [{port: 443}]
            """
        #expect(try Self.run(Self.deployment, gatewayWorkload, Self.gateway, Self.virtualService()).failed == ["nginx"])
    }

    /// External exposure (C-0256) follows Istio too.
    @Test func externalFacingCountsIstio() throws {
        let result = try KubescapeInput.run(
            NetworkControls.externalFacing,
            [Self.deployment, Self.ingressGateway(type: "LoadBalancer"), Self.gateway, Self.virtualService()].joined(separator: "\n---\n"))
        #expect(result.verdicts.first { $0.resource.name == "nginx" }?.failure?.evidence == ["exposed by VirtualService default/nginx"])
    }
}

/// C-0212 judges PersistentVolumeClaims in `default` (Kubescape lists them), and an exception can
/// accept one by its labels.
@Suite struct DefaultNamespaceClaimsParityTests {
    static let claim = """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, labels: {team: storage}}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        """

    @Test func claimInDefaultFailsAndLabelsReachExceptions() throws {
        let snapshot = try KubescapeInput.snapshot(Self.claim)
        let control = WorkloadHygieneControls.defaultNamespaceUsed
        #expect(Fixture.run(control, on: snapshot).failed == [
            ResourceRef(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "default", name: "data")
        ])
        let exception = PostureException(name: "storage", resources: [.init(attributes: ["team": "storage"])])
        let result = Auditor.run([control], frameworks: [], in: AuditContext(snapshot: snapshot), exceptions: [exception])
        #expect(result.results[0].verdicts.first?.exception == "storage")
    }
}
