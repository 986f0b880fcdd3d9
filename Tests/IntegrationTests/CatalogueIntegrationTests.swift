import Foundation
import ManifestFixtures
import Reports
import Testing

/// A namespace with known problems, applied to the real API server and scanned with every control:
/// each control must fail exactly the resources it should, and pass the hardened workload.
@Suite(.enabled(if: TestCluster.shouldRun, TestCluster.skipReason))
struct CatalogueIntegrationTests {
    static func manifest(_ ns: String) -> String {
        """
        \(Manifest.workload(name: "priv", namespace: ns, labelledObject: true, replicas: 2, podSpec: """
            hostNetwork: true
            containers:
            - name: app
              image: nginx:latest
              imagePullPolicy: IfNotPresent
              env: [{name: DB_PASSWORD, value: hunter2}]
              securityContext: {privileged: true, runAsUser: 0}
              volumeMounts: [{name: docker, mountPath: /var/run/docker.sock}]
            volumes:
            - {name: docker, hostPath: {path: /var/run/docker.sock}}
            """))
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: hardened
          namespace: \(ns)
          labels: {app: hardened, app.kubernetes.io/name: hardened}
        spec:
          replicas: 1
          selector: {matchLabels: {app: hardened}}
          template:
            metadata: {labels: {app: hardened, app.kubernetes.io/name: hardened}}
            spec:
              automountServiceAccountToken: false
              securityContext:
                runAsNonRoot: true
                runAsUser: 10001
                runAsGroup: 10001
                seccompProfile: {type: RuntimeDefault}
              containers:
              - name: app
                image: registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                securityContext:
                  allowPrivilegeEscalation: false
                  readOnlyRootFilesystem: true
                  capabilities: {drop: [ALL]}
                resources:
                  requests: {cpu: 50m, memory: 64Mi}
                  limits: {cpu: 100m, memory: 128Mi}
                livenessProbe: {httpGet: {path: /healthz, port: 8080}}
                readinessProbe: {httpGet: {path: /ready, port: 8080}}
        ---
        \(Manifest.pod(name: "naked", namespace: ns, podSpec: #"{containers: [{name: shell, image: "busybox:1.36"}]}"#))
        ---
        \(Manifest.cronJob("batch/v1beta1", name: "nightly", namespace: ns, podSpec: """
            restartPolicy: OnFailure
            containers: [{name: job, image: "busybox:1.36"}]
            """))
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: priv, namespace: \(ns)}
        spec:
          type: NodePort
          selector: {app: priv}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: reader, namespace: \(ns)}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: execer, namespace: \(ns)}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: secret-reader, namespace: \(ns)}
        rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: secret-reader, namespace: \(ns)}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
        subjects: [{kind: ServiceAccount, name: reader, namespace: \(ns)}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: pod-exec, namespace: \(ns)}
        rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: pod-exec, namespace: \(ns)}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-exec}
        subjects: [{kind: ServiceAccount, name: execer, namespace: \(ns)}]
        """
    }

    @Test func everyControlFailsExactlyTheKnownProblems() throws {
        let cluster = try TestCluster.require()
        let ns = try cluster.makeNamespace("catalogue")
        try cluster.apply(Self.manifest(ns))
        let result = try Run.lookout([
            "scan", "framework", "all", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try ScanReport.decode(Data(result.stdout.utf8))
        #expect(report.errors.isEmpty, "\(report.errors)")

        /// "Kind/name" of the failed resources of one control inside the test namespace.
        func failed(_ id: String) -> Set<String> {
            Set(report.findings.filter { $0.controlID == id && $0.status == "failed" && ($0.resource.namespace == ns || ($0.resource.kind == "Namespace" && $0.resource.name == ns)) }
                .map { "\($0.resource.kind)/\($0.resource.name)" })
        }
        let expected: [String: Set<String>] = [
            "C-0057": ["Deployment/priv"],
            "C-0041": ["Deployment/priv"],
            "C-0048": ["Deployment/priv"],
            "C-0045": ["Deployment/priv"],
            "C-0074": ["Deployment/priv"],
            "C-0012": ["Deployment/priv"],
            "C-0256": ["Deployment/priv"],
            "C-0075": ["Deployment/priv"],
            "C-0073": ["Pod/naked"],
            "C-0026": ["CronJob/nightly"],
            "C-0015": ["ServiceAccount/reader"],
            "C-0002": ["ServiceAccount/execer"],
            "C-0054": ["Namespace/\(ns)"],
            "C-0260": ["Deployment/priv", "Deployment/hardened", "Pod/naked", "CronJob/nightly"],
            "C-0017": ["Deployment/priv", "Pod/naked", "CronJob/nightly"],
            "C-0034": ["Deployment/priv", "Pod/naked", "CronJob/nightly"],
            "C-0270": ["Deployment/priv", "Pod/naked", "CronJob/nightly"],
            "C-0271": ["Deployment/priv", "Pod/naked", "CronJob/nightly"],
            "C-0016": ["Deployment/priv", "Pod/naked", "CronJob/nightly"],
            "C-0055": ["Deployment/priv", "Pod/naked", "CronJob/nightly"],
        ]
        for (id, resources) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(failed(id) == resources, "\(id)")
        }
        // The hardened Deployment passes every workload control.
        let hardenedFailures = report.findings.filter { $0.resource.namespace == ns && $0.resource.name == "hardened" && $0.status == "failed" }
            .map(\.controlID)
        #expect(Set(hardenedFailures).isSubset(of: ["C-0260", "C-0030", "C-0078", "C-0076"]), "\(hardenedFailures)")
        // A replicated workload weighs replicas × 1.1 in the risk score: the report keeps it per control.
        let privileged = try #require(report.controls.first { $0.id == "C-0057" })
        #expect(privileged.status == .failed)
    }

    @Test func gatesFailThePipelineWithAReason() throws {
        let cluster = try TestCluster.require()
        let ns = try cluster.makeNamespace("gates")
        try cluster.apply(Self.manifest(ns))
        let compliance = try Run.lookout([
            "scan", "control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns,
            "--compliance-threshold", "90", "--format", "json",
        ])
        #expect(compliance.status == 1)
        #expect(compliance.stderr.contains("gate failed: compliance score"))
        let severity = try Run.lookout([
            "scan", "control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns,
            "--severity-threshold", "high", "--format", "json",
        ])
        #expect(severity.status == 1)
        #expect(severity.stderr.contains("at severity high or above"))
        let risk = try Run.lookout([
            "scan", "control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns, "-t", "100",
            "--format", "json",
        ])
        #expect(risk.status == 0, "\(risk.stderr)")
    }

    @Test func exceptionsAcceptAFailureAndWarnAboutUnusedOnes() throws {
        let cluster = try TestCluster.require()
        let ns = try cluster.makeNamespace("except")
        try cluster.apply(Self.manifest(ns))
        let folder = try TempDirectory()
        let path = folder.path + "/exceptions.yaml"
        try """
            - name: accept-priv
              policyType: postureExceptionPolicy
              actions: [alertOnly]
              resources:
              - designatorType: Attributes
                attributes: {kind: Deployment, name: priv, namespace: \(ns)}
              posturePolicies: [{controlID: C-0057}]
            - name: stale
              resources: [{designatorType: Attributes, attributes: {name: does-not-exist}}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Run.lookout([
            "scan", "control", "C-0057", "--kubeconfig", cluster.kubeconfig, "--include-namespaces", ns,
            "--exceptions", path, "--severity-threshold", "high", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("exception \"stale\" matched no failed resource"))
        let report = try ScanReport.decode(Data(result.stdout.utf8))
        let finding = try #require(report.findings.first { $0.resource.name == "priv" })
        #expect(finding.status == "excepted")
        #expect(finding.exception == "accept-priv")

        try "- name: bad\n  resources:\n  - attributes: {name: \"([\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try Run.lookout(["scan", "--kubeconfig", cluster.kubeconfig, "--exceptions", path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("\(path):3"))
    }
}
