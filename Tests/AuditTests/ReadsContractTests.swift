@testable import Audit
import Foundation
import Inventory
import ManifestFixtures
import Testing

/// `Control.reads` is a contract: a control looks at the kinds it declares (required, optional, best
/// effort) and at nothing else. For every control of the catalogue, removing every other kind from a
/// rich snapshot must leave its outcome — status, verdicts, evidence, related objects, score — unchanged;
/// a control that reads a kind it did not declare would otherwise pass silently when that kind is forbidden.
@Suite struct ReadsContractTests {
    /// The demo's problem workloads plus one object or more of every kind, related the way controls
    /// relate them (Services and routes to workloads, owners, policies, reports, bindings, ConfigMaps).
    static func richSnapshot() throws -> ClusterSnapshot {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-reads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../cluster/demo").standardized
        for file in try FileManager.default.contentsOfDirectory(atPath: demo.path) {
            try FileManager.default.copyItem(at: demo.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        try richManifests.write(to: folder.appendingPathComponent("90-every-kind.yaml"), atomically: true, encoding: .utf8)
        var snapshot = try ManifestLoader.load(path: folder.path).snapshot
        // Judged as a live cluster: manifests skip the whole-cluster controls.
        snapshot.source = nil
        snapshot.cluster.version = "v1.24.3"
        snapshot.kubeletConfigurationUnavailable = nil
        snapshot.kubeletConfigurations = snapshot.nodes.enumerated().map { index, node in
            NodeKubeletConfiguration(node: node.name, configuration: index == 0 ? Tier2Fixture.insecureKubelet : Tier2Fixture.secureKubelet)
        }
        return snapshot
    }

    /// What a control's run yields, in a form two runs can be compared by.
    struct Observed: Equatable {
        var status: String
        var verdicts: [ResourceVerdict]
        var compliance: Double?
        var risk: Double?

        init(_ control: Control, on snapshot: ClusterSnapshot) {
            let context = AuditContext(snapshot: snapshot, config: ReadsContractTests.config)
            let outcome = control.run(in: context)
            switch outcome {
            case .skipped(let reason): (status, verdicts) = ("skipped: \(reason)", [])
            case .evaluated(let judged): (status, verdicts) = ("evaluated", judged)
            case .partial(let judged, let unjudged): (status, verdicts) = ("partial: \(unjudged)", judged)
            }
            let result = ControlResult(control: control, outcome: outcome)
            (compliance, risk) = (result.complianceScore, result.riskScore)
        }
    }

    static let config = ControlsConfig()

    /// The snapshot as the control may see it: every kind it does not declare is gone, as if never listed.
    static func restricted(_ snapshot: ClusterSnapshot, to control: Control) -> ClusterSnapshot {
        var restricted = snapshot
        for kind in Set(ResourceKind.allCases).subtracting(control.declaredReads) {
            restricted.removeObjects(of: kind)
            restricted.collected.remove(kind)
            restricted.errors.removeAll { $0.resource == kind.rawValue }
        }
        return restricted
    }

    static func undeclaredReads(on snapshot: ClusterSnapshot) -> [String] {
        Catalogue.controls.compactMap { control in
            let full = Observed(control, on: snapshot)
            let restricted = Observed(control, on: restricted(snapshot, to: control))
            guard full != restricted else { return nil }
            let changed = Set(full.verdicts).symmetricDifference(restricted.verdicts).map(\.resource.displayName)
            return "\(control.id): \(full.status) → \(restricted.status), verdicts that differ: \(Set(changed).sorted())"
        }
    }

    @Test func theRichSnapshotExercisesTheCatalogue() throws {
        let snapshot = try Self.richSnapshot()
        #expect(ResourceKind.allCases.filter { snapshot.objects(of: $0).isEmpty } == [])
        let outcomes = Catalogue.controls.map { Observed($0, on: snapshot) }
        // Most controls judge something, and many fail: a test on an empty cluster would prove nothing.
        #expect(outcomes.filter { $0.status == "evaluated" && !$0.verdicts.isEmpty }.count > 100)
        #expect(outcomes.filter { $0.verdicts.contains(where: \.isFailed) }.count > 80)
    }

    @Test func everyControlReadsOnlyWhatItDeclares() throws {
        let undeclared = Self.undeclaredReads(on: try Self.richSnapshot())
        #expect(undeclared == [])
    }

    /// The same with every optional kind forbidden: a control must not look at the errors of kinds it does
    /// not declare either.
    @Test func everyControlReadsOnlyTheErrorsOfWhatItDeclares() throws {
        var snapshot = try Self.richSnapshot()
        for kind in ResourceKind.allCases where kind.isOptional {
            snapshot.removeObjects(of: kind)
            snapshot.collected.remove(kind)
            snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: "forbidden", message: "403"))
        }
        let undeclared = Self.undeclaredReads(on: snapshot)
        #expect(undeclared == [])
    }

    /// The same without Pod Security labels, so that the admission controls look at webhooks and policies.
    @Test func everyControlReadsOnlyWhatItDeclaresWithoutPodSecurityLabels() throws {
        var snapshot = try Self.richSnapshot()
        for index in snapshot.namespaces.indices { snapshot.namespaces[index].metadata.labels = nil }
        let undeclared = Self.undeclaredReads(on: snapshot)
        #expect(undeclared == [])
    }

    /// The engine keeps #9's semantics: a required kind not collected skips; an optional kind the cluster
    /// does not serve is empty; one it serves that could not be read skips; a best-effort one never does;
    /// a control that needs one of its optional kinds served skips, with its reason, when none is.
    @Test func theEngineSkipsAsTheDeclarationsSay() throws {
        let snapshot = try Self.richSnapshot()
        let gatewayExposure = NetworkControls.gatewayAPIExposure
        var unserved = snapshot
        for kind in exposureKinds { unserved.removeObjects(of: kind); unserved.collected.remove(kind) }
        #expect(Observed(gatewayExposure, on: unserved).status.hasPrefix("skipped: neither Gateway API routes"))
        #expect(Observed(NetworkControls.externalFacing, on: unserved).status == "evaluated")

        var routesUnserved = snapshot
        for kind in routeKinds { routesUnserved.removeObjects(of: kind); routesUnserved.collected.remove(kind) }
        #expect(Observed(WorkloadHygieneControls.danglingGatewayBackend, on: routesUnserved).status == "skipped: Gateway API not served")
        #expect(Observed(gatewayExposure, on: routesUnserved).status == "evaluated", "Istio's kinds are still served")

        var forbidden = snapshot
        forbidden.collected.remove(.grpcroutes)
        forbidden.errors.append(CollectionError(resource: "grpcroutes", reason: "forbidden", message: "403"))
        #expect(Observed(gatewayExposure, on: forbidden).status == "skipped: forbidden: grpcroutes")
        #expect(Observed(NetworkControls.externalFacing, on: forbidden).status == "skipped: forbidden: grpcroutes")
        #expect(Observed(WorkloadHygieneControls.danglingGatewayBackend, on: forbidden).status == "skipped: forbidden: grpcroutes")

        var noServices = snapshot
        noServices.collected.remove(.services)
        noServices.errors.append(CollectionError(resource: "services", reason: "forbidden", message: "403"))
        #expect(Observed(gatewayExposure, on: noServices).status == "skipped: forbidden: services")

        var noConfigMaps = snapshot
        noConfigMaps.collected.remove(.configmaps)
        noConfigMaps.errors.append(CollectionError(resource: "configmaps", reason: "forbidden", message: "403"))
        let nginx = Observed(WorkloadHygieneControls.ingressNginxSnippetCVE, on: noConfigMaps)
        #expect(nginx.status == "evaluated")
        #expect(nginx.verdicts.flatMap { $0.failure?.evidence ?? [] }.contains { $0.contains("could not be read (forbidden: configmaps)") })
    }

    /// A snapshot file may hold objects of a kind it says was not collected; no control sees them.
    @Test func objectsOfAKindNotCollectedAreInvisible() throws {
        var snapshot = try Self.richSnapshot()
        snapshot.collected.remove(.ciliumnetworkpolicies)
        let context = AuditContext(snapshot: snapshot)
        #expect(context.snapshot.ciliumNetworkPolicies.isEmpty)
        #expect(!context.snapshot.ciliumClusterwideNetworkPolicies.isEmpty)
    }

    static let richManifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: apps, labels: {pod-security.kubernetes.io/warn: restricted}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: kube-system}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: istio-system}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-1}
        status: {nodeInfo: {kubeletVersion: v1.24.3, kernelVersion: 5.4.0, osImage: Ubuntu 20.04, containerRuntimeVersion: containerd://1.6.0, operatingSystem: linux}}
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-2}
        status: {nodeInfo: {kubeletVersion: v1.24.3, kernelVersion: 6.1.0, operatingSystem: linux}}
        ---
        \(Manifest.workload(name: "web", namespace: "apps", labelledObject: true, replicas: 3, podSpec: """
            serviceAccountName: web
            containers:
            - name: web
              image: registry.example/web:1.0
              ports: [{containerPort: 8080, hostPort: 8080}]
              envFrom: [{configMapRef: {name: web-config}}, {secretRef: {name: web-secret}}]
              volumeMounts: [{name: data, mountPath: /data}, {name: config, mountPath: /config}]
            volumes:
            - {name: data, persistentVolumeClaim: {claimName: web-data}}
            - {name: config, configMap: {name: web-config}}
            - {name: missing, configMap: {name: no-such-config}}
            """))
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: web-6d4b
          namespace: apps
          labels: {app: web}
          ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, controller: true}]
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: registry.example/web:1.0}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-6d4b-x1
          namespace: apps
          labels: {app: web}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-6d4b, controller: true}]
        spec: {serviceAccountName: web, containers: [{name: web, image: registry.example/web:1.0}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: operated-0
          namespace: apps
          labels: {app: operated}
          ownerReferences: [{apiVersion: example.com/v1, kind: Database, name: db, controller: true}]
        spec: {containers: [{name: db, image: postgres:15, securityContext: {privileged: true}}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: kube-apiserver-cp1, namespace: kube-system, labels: {component: kube-apiserver, tier: control-plane}}
        spec:
          hostNetwork: true
          containers:
          - name: kube-apiserver
            image: registry.k8s.io/kube-apiserver:v1.24.3
            command: [kube-apiserver, --anonymous-auth=true, --authorization-mode=AlwaysAllow, --profiling=true, --enable-admission-plugins=AlwaysAdmit, --insecure-port=8080]
        ---
        \(Manifest.workload(name: "ingress-nginx-controller", namespace: "apps", labels: "app: ingress-nginx", labelledObject: true, podSpec: """
            containers:
            - name: controller
              image: registry.k8s.io/ingress-nginx/controller:v1.8.0
              args: [/nginx-ingress-controller, --configmap=apps/nginx-config]
            """))
        ---
        \(Manifest.workload(name: "ingress-nginx-legacy", namespace: "apps", labelledObject: true, podSpec: """
            containers:
            - name: controller
              image: registry.k8s.io/ingress-nginx/controller:v1.6.4
              args: [/nginx-ingress-controller, --configmap=apps/missing-nginx-config]
            """))
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: nginx-config, namespace: apps}
        data: {allow-snippet-annotations: "true"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config, namespace: apps}
        data: {DB_PASSWORD: hunter2, AWS_SECRET_ACCESS_KEY: AKIAEXAMPLE}
        ---
        \(Manifest.workload(
            name: "istio-ingressgateway", namespace: "istio-system", labels: "istio: ingressgateway", labelledObject: true,
            podSpec: "{containers: [{name: istio-proxy, image: docker.io/istio/proxyv2:1.20.0}]}"))
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: istio-ingressgateway, namespace: istio-system, labels: {istio: ingressgateway}}
        spec: {type: LoadBalancer, selector: {istio: ingressgateway}, ports: [{port: 443}]}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: Gateway
        metadata: {name: public-gateway, namespace: istio-system}
        spec: {selector: {istio: ingressgateway}}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: api, namespace: apps}
        spec:
          gateways: [istio-system/public-gateway]
          http: [{route: [{destination: {host: api.apps.svc.cluster.local}}]}]
        ---
        \(Manifest.workload(
            name: "api", namespace: "apps", labelledObject: true,
            podSpec: "{containers: [{name: api, image: registry.example/api:2.1, ports: [{containerPort: 22}]}]}"))
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: apps}
        spec: {selector: {app: api}, ports: [{port: 22, targetPort: 22}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: apps}
        spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: grpc, namespace: apps}
        spec: {selector: {app: grpc}, ports: [{port: 9090}]}
        ---
        \(Manifest.workload(
            "StatefulSet", name: "grpc", namespace: "apps", replicas: 2,
            podSpec: "{containers: [{name: grpc, image: registry.example/grpc@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef}]}"))
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web, namespace: apps}
        spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: apps}
        spec: {rules: [{backendRefs: [{name: web}, {name: gone}]}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: grpc, namespace: apps}
        spec: {rules: [{backendRefs: [{name: grpc}, {name: grpc-gone}]}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: TCPRoute
        metadata: {name: tcp, namespace: apps}
        spec: {rules: [{backendRefs: [{name: api}]}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: UDPRoute
        metadata: {name: udp, namespace: apps}
        spec: {rules: [{backendRefs: [{name: udp-gone}]}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: TLSRoute
        metadata: {name: tls, namespace: apps}
        spec: {rules: [{backendRefs: [{name: web}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api, namespace: apps}
        spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: grpc, namespace: apps}
        spec: {endpointSelector: {matchLabels: {app: grpc}}, ingress: [{}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata: {name: istio}
        spec: {endpointSelector: {matchLabels: {istio: ingressgateway}}, egress: [{}]}
        ---
        \(Manifest.workload("DaemonSet", name: "calico-node", namespace: "kube-system", labels: "k8s-app: calico-node", podSpec: """
            hostNetwork: true
            containers: [{name: calico-node, image: docker.io/calico/node:v3.26.1, securityContext: {privileged: true}}]
            volumes: [{name: run, hostPath: {path: /var/run/calico}}, {name: sock, hostPath: {path: /var/run/docker.sock}}]
            """))
        status: {desiredNumberScheduled: 2}
        ---
        \(Manifest.cronJob(name: "backup", namespace: "apps", podSpec: """
            restartPolicy: OnFailure
            serviceAccountName: backup
            containers: [{name: backup, image: "registry.example/backup:latest", command: [sh, -c, "sudo tar c /data"]}]
            """))
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: backup-28000000
          namespace: apps
          ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: backup, controller: true}]
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers: [{name: backup, image: "registry.example/backup:latest"}]
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: apps}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: migrate, image: registry.example/migrate:1.0}]
        ---
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: legacy, namespace: apps}
        spec:
          replicas: 2
          selector: {app: legacy}
          template:
            metadata: {labels: {app: legacy}}
            spec: {containers: [{name: legacy, image: k8s.gcr.io/legacy:1.0}]}
        ---
        apiVersion: aquasecurity.github.io/v1alpha1
        kind: VulnerabilityReport
        metadata:
          name: replicaset-web-6d4b-web
          namespace: apps
          labels: {trivy-operator.resource.kind: ReplicaSet, trivy-operator.resource.name: web-6d4b, trivy-operator.container.name: web}
        report: {summary: {criticalCount: 3, highCount: 5}, artifact: {repository: web, tag: "1.0"}}
        ---
        apiVersion: aquasecurity.github.io/v1alpha1
        kind: VulnerabilityReport
        metadata:
          name: job-backup
          namespace: apps
          ownerReferences: [{apiVersion: batch/v1, kind: Job, name: backup-28000000, controller: true}]
        report: {summary: {criticalCount: 1}}
        ---
        apiVersion: aquasecurity.github.io/v1alpha1
        kind: VulnerabilityReport
        metadata:
          name: deployment-api-api
          namespace: apps
          labels: {trivy-operator.resource.kind: Deployment, trivy-operator.resource.name: api}
        report: {summary: {criticalCount: 2}}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: web, namespace: apps}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: default, namespace: apps}
        automountServiceAccountToken: false
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: web-data, namespace: apps}
        spec: {volumeName: web-pv}
        ---
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: web-pv}
        spec: {hostPath: {path: /srv/web}, claimRef: {namespace: apps, name: web-data}}
        ---
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: quota, namespace: apps}
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {name: limits, namespace: apps}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: web, namespace: apps}
        spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 1, maxReplicas: 5}
        ---
        apiVersion: policy/v1beta1
        kind: PodSecurityPolicy
        metadata: {name: permissive}
        spec: {privileged: true, allowPrivilegeEscalation: true}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: everything}
        rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: web-everything}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
        subjects: [{kind: ServiceAccount, name: web, namespace: apps}, {kind: User, name: alice}, {kind: Group, name: system:anonymous}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: exec, namespace: apps}
        rules:
        - {apiGroups: [""], resources: [pods/exec, secrets, configmaps], verbs: [get, list, create, delete]}
        - {apiGroups: [""], resources: [pods], verbs: [create, patch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: backup-exec, namespace: apps}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
        subjects: [{kind: ServiceAccount, name: backup}, {kind: ServiceAccount, name: default, namespace: apps}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: dangling, namespace: apps}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-such-role}
        subjects: [{kind: User, name: bob}]
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: kyverno-resource-validating-webhook-cfg}
        webhooks:
        - name: validate.kyverno.svc-fail
          failurePolicy: Ignore
          clientConfig: {service: {namespace: kyverno, name: kyverno-svc}}
          rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata: {name: injector}
        webhooks:
        - name: inject.example.com
          failurePolicy: Ignore
          clientConfig: {url: "https://injector.example.com/mutate"}
          rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
        ---
        apiVersion: apiregistration.k8s.io/v1
        kind: APIService
        metadata: {name: v1beta1.metrics.k8s.io}
        spec: {service: {namespace: kube-system, name: metrics-server}, insecureSkipTLSVerify: true}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: lookout-c-0057, labels: {app.kubernetes.io/managed-by: lookout, lookout.dev/control: C-0057}}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: lookout-c-0057}
        spec: {policyName: lookout-c-0057, validationActions: [Deny]}
        """
}
