@testable import Audit
import Inventory
import Testing

@Suite struct ExposedDashboardTests {
    let control = ExposureControls.exposedDashboard

    @Test func failsDashboardBehindNodePortService() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [Tier2Fixture.deployment("console", namespace: "ui", image: "kubernetesui/dashboard:v2.7.0")]
            $0.services = [Tier2Fixture.service("console", namespace: "ui", type: "NodePort")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.deploymentRef("console", namespace: "ui")])
        let failure = result.verdicts.first?.failure
        #expect(failure?.evidence == [
            "spec.template.spec.containers[0].image=kubernetesui/dashboard:v2.7.0 (Kubernetes Dashboard)",
            "exposed by Service ui/console (NodePort)",
        ])
        #expect(failure?.related == [RelatedObject(kind: "Service", namespace: "ui", name: "console")])
        #expect(failure?.message == "Deployment console is an admin UI (Kubernetes Dashboard) reachable from outside the cluster")
    }

    /// The same UI behind a ClusterIP Service, and an exposed workload that is no admin UI, both pass.
    @Test func passesInternalDashboardAndExposedApplication() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [
                Tier2Fixture.deployment("grafana", namespace: "mon", image: "grafana/grafana:10.4.0", labels: ["app": "grafana"]),
                Tier2Fixture.deployment("shop", image: "registry.example/shop:2.0"),
            ]
            $0.services = [
                Tier2Fixture.service("grafana", namespace: "mon", selector: ["app": "grafana"]),
                Tier2Fixture.service("shop", type: "LoadBalancer"),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// Recognised by name as well as image; reached through an Ingress, a hostPort and hostNetwork; the
    /// list comes from controls-config.
    @Test func nameMatchIngressHostPortHostNetworkAndConfiguredList() {
        var jenkins = Tier2Fixture.deployment("jenkins-master", namespace: "ci", image: "registry.example/ci/server:lts", labels: ["app": "ci"])
        jenkins.spec.template.spec.containers[0].ports = [ContainerPort(containerPort: 8080), ContainerPort(containerPort: 8443, hostPort: 8443)]
        var custom = Tier2Fixture.deployment("ops-console", namespace: "ops", image: "corp/opsconsole:1", labels: ["app": "ops"])
        custom.spec.template.spec.hostNetwork = true
        let snapshot = Fixture.snapshot {
            $0.deployments = [jenkins, custom]
            $0.services = [Tier2Fixture.service("jenkins", namespace: "ci", selector: ["app": "ci"])]
            $0.ingresses = [Tier2Fixture.ingress("jenkins", namespace: "ci", service: "jenkins")]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.deploymentRef("jenkins-master", namespace: "ci")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "metadata.name contains \"jenkins\" (Jenkins)",
            "exposed by Ingress ci/jenkins",
            "spec.template.spec.containers[0].ports[1].hostPort=8443",
        ])

        var config = ControlsConfig()
        config.adminDashboards.append(AdminDashboard(name: "Ops Console", images: ["corp/opsconsole"], names: []))
        let configured = Fixture.run(control, on: snapshot, config: config)
        #expect(configured.failed == [Tier2Fixture.deploymentRef("jenkins-master", namespace: "ci"), Tier2Fixture.deploymentRef("ops-console", namespace: "ops")])
        #expect(configured.verdicts.first { $0.resource.name == "ops-console" }?.failure?.evidence == [
            "spec.template.spec.containers[0].image=corp/opsconsole:1 (Ops Console)", "spec.template.spec.hostNetwork=true",
        ])
    }

    @Test func skippedWhenServicesAreForbidden() {
        var snapshot = Fixture.snapshot { _ in }
        snapshot.collected.remove(.services)
        snapshot.errors = [CollectionError(resource: "services", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: services")
    }
}

@Suite struct DashboardWithoutAuthenticationTests {
    let control = ExposureControls.dashboardWithoutAuthentication

    @Test func failsSkipLoginAndBasicAuthentication() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [Tier2Fixture.deployment(
                "kubernetes-dashboard", namespace: "kubernetes-dashboard", image: "kubernetesui/dashboard:v2.7.0",
                args: ["--auto-generate-certificates", "--enable-skip-login", "--authentication-mode=token,basic"])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.deploymentRef("kubernetes-dashboard", namespace: "kubernetes-dashboard")])
        #expect(Tier2Fixture.evidence(result.verdicts) == [
            "spec.template.spec.containers[0].args[1]=--enable-skip-login",
            "spec.template.spec.containers[0].args[2]=--authentication-mode=token,basic",
        ])
    }

    /// Token login only, a flag explicitly switched off, and another UI with the same flag all pass.
    @Test func passesTokenLoginAndExplicitFalse() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [
                Tier2Fixture.deployment("kubernetes-dashboard", namespace: "kd", image: "kubernetesui/dashboard:v2.7.0",
                                        args: ["--auto-generate-certificates", "--enable-skip-login=false", "--authentication-mode=token"]),
                Tier2Fixture.deployment("other-ui", namespace: "kd", image: "registry.example/ui:1", args: ["--enable-skip-login"]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 2)
    }

    /// The dashboard's ServiceAccount bound to cluster-admin fails it with the binding in evidence; an
    /// `=true` flag counts like the bare flag.
    @Test func serviceAccountBoundToClusterAdmin() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [Tier2Fixture.deployment(
                "dash", namespace: "kd", image: "docker.io/kubernetesui/dashboard:v2.7.0", args: ["--enable-insecure-login=true"],
                serviceAccount: "kubernetes-dashboard")]
            $0.clusterRoles = [Fixture.clusterRole("cluster-admin", rules: [Fixture.clusterAdminRule])]
            $0.clusterRoleBindings = [Fixture.clusterRoleBinding(
                "dash-admin", role: "cluster-admin", subjects: [Subject(kind: "ServiceAccount", name: "kubernetes-dashboard", namespace: "kd")])]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [Tier2Fixture.deploymentRef("dash", namespace: "kd")])
        let failure = result.verdicts.first?.failure
        #expect(failure?.evidence == [
            "spec.template.spec.containers[0].args[0]=--enable-insecure-login=true",
            "ServiceAccount kd/kubernetes-dashboard: ClusterRole cluster-admin rules[0] verbs=[*] apiGroups=[*] resources=[*] via ClusterRoleBinding dash-admin (cluster-wide)",
        ])
        #expect(failure?.related == [RelatedObject(kind: "ClusterRole", name: "cluster-admin"), RelatedObject(kind: "ClusterRoleBinding", name: "dash-admin")])
    }

    @Test func exposureFamilyMetadata() {
        #expect(ExposureControls.all.map(\.id) == ["LO-001", "LO-002"])
        #expect(ExposureControls.all.map(\.baseScore) == [9, 10])
        #expect(ExposureControls.all.allSatisfy { $0.frameworks == ["lookout"] && !$0.example.isEmpty && !$0.rationale.isEmpty })
    }
}
