@testable import Audit
import Inventory
import Testing

/// Deployment `name` with one container mounting each of `volumes` (in order) with `readOnly`.
private func mounting(_ name: String, _ volumes: [Volume], readOnly: Bool? = nil) -> Deployment {
    let container = PrivilegeFixture.container {
        $0.volumeMounts = volumes.map { PrivilegeFixture.mount($0.name, at: "/host/\($0.name)", readOnly: readOnly) }
    }
    return PrivilegeFixture.deployment(name, spec: PrivilegeFixture.spec([container]) { $0.volumes = volumes })
}

private func run(_ control: Control, _ build: (inout ClusterSnapshot) -> Void) -> (failed: [ResourceRef], all: [ResourceRef], skipped: String?, verdicts: [ResourceVerdict]) {
    Fixture.run(control, on: Fixture.snapshot(build))
}

@Suite struct HostPathMountTests {
    let control = WorkloadPrivilegeControls.hostPathMount

    @Test func failsMountedHostPath() {
        let result = run(control) { $0.deployments = [mounting("agent", [PrivilegeFixture.hostPathVolume("logs", "/var/log")])] }
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "agent")])
        #expect(result.verdicts.evidence(of: "agent") == [
            "spec.template.spec.volumes[0].hostPath.path=/var/log mounted at spec.template.spec.containers[0].volumeMounts[0]",
        ])
    }

    @Test func passesWithoutHostPath() {
        let result = run(control) { $0.deployments = [mounting("web", [Volume(name: "scratch")])] }
        #expect(result.failed.isEmpty)
        #expect(result.all == [PrivilegeFixture.ref("Deployment", "web")])
    }

    /// A hostPath volume no container mounts passes; one an init container of a Pod mounts fails, with
    /// the volume's own index.
    @Test func countsOnlyMountedVolumesIncludingInitContainers() {
        let unmounted = PrivilegeFixture.deployment("declared", spec: PrivilegeFixture.spec([Fixture.container()]) {
            $0.volumes = [PrivilegeFixture.hostPathVolume("root", "/")]
        })
        let initMount = PrivilegeFixture.container("init") { $0.volumeMounts = [PrivilegeFixture.mount("etc")] }
        let pod = PrivilegeFixture.pod("setup", spec: PrivilegeFixture.spec([Fixture.container()]) {
            $0.volumes = [Volume(name: "scratch"), PrivilegeFixture.hostPathVolume("etc", "/etc")]
            $0.initContainers = [initMount]
        })
        let result = run(control) {
            $0.deployments = [unmounted]
            $0.pods = [pod]
        }
        #expect(result.failed == [PrivilegeFixture.ref("Pod", "setup")])
        #expect(result.verdicts.evidence(of: "setup") == ["spec.volumes[1].hostPath.path=/etc mounted at spec.initContainers[0].volumeMounts[0]"])
    }
}

@Suite struct WritableHostPathMountTests {
    let control = WorkloadPrivilegeControls.writableHostPathMount

    @Test func failsMountWithoutReadOnly() {
        let result = run(control) {
            $0.deployments = [
                mounting("unset", [PrivilegeFixture.hostPathVolume("logs", "/var/log")]),
                mounting("explicit", [PrivilegeFixture.hostPathVolume("logs", "/var/log")], readOnly: false),
            ]
        }
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "explicit"), PrivilegeFixture.ref("Deployment", "unset")])
        #expect(result.verdicts.evidence(of: "unset") == [
            "spec.template.spec.volumes[0].hostPath.path=/var/log mounted at spec.template.spec.containers[0].volumeMounts[0] with readOnly unset",
        ])
        #expect(result.verdicts.evidence(of: "explicit")?.first?.hasSuffix("with readOnly=false") == true)
    }

    @Test func passesReadOnlyMount() {
        let result = run(control) { $0.deployments = [mounting("agent", [PrivilegeFixture.hostPathVolume("logs", "/var/log")], readOnly: true)] }
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// The same volume mounted read-only by one container and writable by a sidecar: only the
    /// sidecar's mount is evidence.
    @Test func reportsOnlyTheWritableMount() {
        let reader = PrivilegeFixture.container("reader") { $0.volumeMounts = [PrivilegeFixture.mount("logs", readOnly: true)] }
        let writer = PrivilegeFixture.container("writer") { $0.volumeMounts = [PrivilegeFixture.mount("data"), PrivilegeFixture.mount("logs")] }
        let deployment = PrivilegeFixture.deployment("agent", spec: PrivilegeFixture.spec([reader, writer]) {
            $0.volumes = [Volume(name: "data"), PrivilegeFixture.hostPathVolume("logs", "/var/log")]
        })
        let result = run(control) { $0.deployments = [deployment] }
        #expect(result.verdicts.evidence(of: "agent") == [
            "spec.template.spec.volumes[1].hostPath.path=/var/log mounted at spec.template.spec.containers[1].volumeMounts[1] with readOnly unset",
        ])
    }
}

@Suite struct RuntimeSocketMountedTests {
    let control = WorkloadPrivilegeControls.runtimeSocketMounted

    @Test func failsDockerSocket() {
        let result = run(control) { $0.deployments = [mounting("builder", [PrivilegeFixture.hostPathVolume("docker", "/var/run/docker.sock")], readOnly: true)] }
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "builder")])
        #expect(result.verdicts.evidence(of: "builder") == [
            "spec.template.spec.volumes[0].hostPath.path=/var/run/docker.sock mounted at spec.template.spec.containers[0].volumeMounts[0]",
        ])
    }

    @Test func passesOtherHostPaths() {
        let result = run(control) {
            $0.deployments = [mounting("agent", [PrivilegeFixture.hostPathVolume("logs", "/var/log"), PrivilegeFixture.hostPathVolume("lib", "/var/lib/docker-data")])]
        }
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A directory that contains a socket exposes it, and paths compare canonically (trailing slash).
    @Test func failsParentDirectoryAndNonCanonicalSpelling() {
        let result = run(control) {
            $0.deployments = [
                mounting("run", [PrivilegeFixture.hostPathVolume("run", "/var/run/")]),
                mounting("containerd", [PrivilegeFixture.hostPathVolume("sock", "/run/containerd//containerd.sock/")]),
            ]
        }
        #expect(result.failed.map(\.name) == ["containerd", "run"])
        #expect(result.verdicts.evidence(of: "run") == [
            "spec.template.spec.volumes[0].hostPath.path=/var/run/ mounted at spec.template.spec.containers[0].volumeMounts[0] (contains /var/run/docker.sock)",
        ])
        #expect(result.verdicts.evidence(of: "containerd") == [
            "spec.template.spec.volumes[0].hostPath.path=/run/containerd//containerd.sock/ mounted at spec.template.spec.containers[0].volumeMounts[0]",
        ])
    }

    @Test func canonicalHostPaths() {
        #expect(WorkloadPrivilegeControls.canonicalHostPath("/var//run/./docker.sock/") == "/var/run/docker.sock")
        #expect(WorkloadPrivilegeControls.canonicalHostPath("/var/lib/../run") == "/var/run")
        #expect(WorkloadPrivilegeControls.canonicalHostPath("///") == "/")
        #expect(WorkloadPrivilegeControls.hostPath("/var", exposes: "/var/run/docker.sock"))
        #expect(!WorkloadPrivilegeControls.hostPath("/var/ru", exposes: "/var/run/docker.sock"))
    }
}

@Suite struct MountServicePrincipalTests {
    let control = WorkloadPrivilegeControls.mountServicePrincipal

    @Test func failsAzureCredentialsFile() {
        let result = run(control) { $0.deployments = [mounting("cloud", [PrivilegeFixture.hostPathVolume("azure", "/etc/kubernetes/azure.json")], readOnly: true)] }
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "cloud")])
        #expect(result.verdicts.evidence(of: "cloud") == [
            "spec.template.spec.volumes[0].hostPath.path=/etc/kubernetes/azure.json mounted at spec.template.spec.containers[0].volumeMounts[0]",
        ])
    }

    @Test func passesUnrelatedPaths() {
        let result = run(control) {
            $0.deployments = [mounting("agent", [PrivilegeFixture.hostPathVolume("logs", "/var/log"), PrivilegeFixture.hostPathVolume("ssl", "/etc/ssl/certs")])]
        }
        #expect(result.failed.isEmpty)
    }

    /// Kubescape's exact list, plus home-directory CLI folders and the root of the node.
    @Test func homeDirectoriesAndRootCount() {
        let result = run(control) {
            $0.deployments = [
                mounting("home", [PrivilegeFixture.hostPathVolume("aws", "/root/.aws/"), PrivilegeFixture.hostPathVolume("gcloud", "/home/ci/.config/gcloud")]),
                mounting("root", [PrivilegeFixture.hostPathVolume("host", "/")]),
                mounting("gke", [PrivilegeFixture.hostPathVolume("adc", "/gcloud/application_default_credentials.json")]),
                mounting("dotfiles", [PrivilegeFixture.hostPathVolume("cfg", "/home/ci/.config/app")]),
            ]
        }
        #expect(result.failed.map(\.name) == ["gke", "home", "root"])
        #expect(result.verdicts.evidence(of: "home")?.count == 2)
    }
}

@Suite struct HostNamespaceTests {
    private func workloads() -> ClusterSnapshot {
        Fixture.snapshot {
            $0.deployments = [
                PrivilegeFixture.deployment("net", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostNetwork = true }),
                PrivilegeFixture.deployment("pid", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostPID = true }),
                PrivilegeFixture.deployment("ipc", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostIPC = true }),
                PrivilegeFixture.deployment("both", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostPID = true; $0.hostIPC = true }),
                PrivilegeFixture.deployment("none", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostNetwork = false; $0.hostPID = false }),
            ]
        }
    }

    @Test func hostNetworkFailsOnlyHostNetwork() {
        let result = Fixture.run(WorkloadPrivilegeControls.hostNetworkAccess, on: workloads())
        #expect(result.failed.map(\.name) == ["net"])
        #expect(result.all.count == 5)
        #expect(result.verdicts.evidence(of: "net") == ["spec.template.spec.hostNetwork=true"])
    }

    @Test func hostNetworkPathOfCronJob() {
        let jobSpec = Job.Spec(template: PodTemplate(spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostNetwork = true }))
        let cronJob = CronJob(metadata: Fixture.meta("nightly"), spec: CronJob.Spec(schedule: "@daily", jobTemplate: CronJob.JobTemplate(spec: jobSpec)))
        let result = Fixture.run(WorkloadPrivilegeControls.hostNetworkAccess, on: Fixture.snapshot { $0.cronJobs = [cronJob] })
        #expect(result.failed == [PrivilegeFixture.ref("CronJob", "nightly")])
        #expect(result.verdicts.evidence(of: "nightly") == ["spec.jobTemplate.spec.template.spec.hostNetwork=true"])
    }

    @Test func hostPIDIPCFailsEitherWithOneLineEach() {
        let result = Fixture.run(WorkloadPrivilegeControls.hostPIDIPCPrivileges, on: workloads())
        #expect(result.failed.map(\.name) == ["both", "ipc", "pid"])
        #expect(result.verdicts.evidence(of: "both") == ["spec.template.spec.hostPID=true", "spec.template.spec.hostIPC=true"])
        #expect(result.verdicts.evidence(of: "ipc") == ["spec.template.spec.hostIPC=true"])
    }

    @Test func cisHostPIDFailsOnlyHostPID() {
        let result = Fixture.run(WorkloadPrivilegeControls.hostPIDNamespace, on: workloads())
        #expect(result.failed.map(\.name) == ["both", "pid"])
        #expect(result.verdicts.evidence(of: "both") == ["spec.template.spec.hostPID=true"])
    }

    @Test func cisHostIPCFailsOnlyHostIPC() {
        let result = Fixture.run(WorkloadPrivilegeControls.hostIPCNamespace, on: workloads())
        #expect(result.failed.map(\.name) == ["both", "ipc"])
        #expect(result.verdicts.evidence(of: "ipc") == ["spec.template.spec.hostIPC=true"])
    }

    /// C-0038 is exactly the union of the two CIS controls, on a bare Pod too.
    @Test func sharedCheckOnPods() {
        let pod = PrivilegeFixture.pod("debug", spec: PrivilegeFixture.spec([Fixture.container()]) { $0.hostPID = true })
        let snapshot = Fixture.snapshot { $0.pods = [pod] }
        #expect(Fixture.run(WorkloadPrivilegeControls.hostPIDNamespace, on: snapshot).verdicts.evidence(of: "debug") == ["spec.hostPID=true"])
        #expect(Fixture.run(WorkloadPrivilegeControls.hostPIDIPCPrivileges, on: snapshot).verdicts.evidence(of: "debug") == ["spec.hostPID=true"])
        #expect(Fixture.run(WorkloadPrivilegeControls.hostIPCNamespace, on: snapshot).failed.isEmpty)
    }
}

@Suite struct ContainerHostPortTests {
    let control = WorkloadPrivilegeControls.containerHostPort

    @Test func failsHostPort() {
        let container = PrivilegeFixture.container { $0.ports = [ContainerPort(containerPort: 9090), ContainerPort(containerPort: 8080, hostPort: 8080)] }
        let result = run(control) { $0.deployments = [PrivilegeFixture.deployment("ingress", spec: PrivilegeFixture.spec([container]))] }
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "ingress")])
        #expect(result.verdicts.evidence(of: "ingress") == ["spec.template.spec.containers[0].ports[1].hostPort=8080"])
    }

    @Test func passesContainerPortsOnly() {
        let container = PrivilegeFixture.container { $0.ports = [ContainerPort(containerPort: 8080)] }
        let result = run(control) { $0.deployments = [PrivilegeFixture.deployment("web", spec: PrivilegeFixture.spec([container]))] }
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// `hostPort: 0` means no host port.
    @Test func zeroHostPortPasses() {
        let container = PrivilegeFixture.container { $0.ports = [ContainerPort(containerPort: 8080, hostPort: 0)] }
        let result = run(control) { $0.deployments = [PrivilegeFixture.deployment("web", spec: PrivilegeFixture.spec([container]))] }
        #expect(result.failed.isEmpty)
    }
}
