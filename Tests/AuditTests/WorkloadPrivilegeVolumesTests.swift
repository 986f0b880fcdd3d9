@testable import Audit
import Inventory
import Testing

private let volumes = "spec.template.spec.volumes"
private let c0 = "spec.template.spec.containers[0]"

/// Deployment `name` whose first container mounts every volume, in order.
private func mountingAll(_ name: String, _ podVolumes: [Volume]) -> Deployment {
    let container = PrivilegeFixture.container { $0.volumeMounts = podVolumes.map { PrivilegeFixture.mount($0.name, at: "/v/\($0.name)") } }
    return PrivilegeFixture.deployment(name, spec: PrivilegeFixture.spec([container]) { $0.volumes = podVolumes })
}

private func volume(_ name: String, _ configure: (inout Volume) -> Void) -> Volume {
    var volume = Volume(name: name)
    configure(&volume)
    return volume
}

@Suite struct SecretAccessTests {
    let control = WorkloadPrivilegeControls.secretAccess

    @Test func failsSecretAndProjectedSecretVolumes() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [mountingAll("web", [
                volume("db") { $0.secret = SecretVolumeSource(secretName: "db") },
                volume("bundle") {
                    $0.projected = ProjectedSource(sources: [
                        ProjectedVolumeSource(configMap: NameReference(name: "settings")),
                        ProjectedVolumeSource(secret: NameReference(name: "tls")),
                    ])
                },
            ])]
        })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == [
            "\(volumes)[0].secret.secretName=db mounted at \(c0).volumeMounts[0]",
            "\(volumes)[1].projected.sources[1].secret.name=tls mounted at \(c0).volumeMounts[1]",
        ])
        #expect(control.informational)
    }

    @Test func passesUnmountedSecretVolume() {
        let deployment = PrivilegeFixture.deployment("web", spec: PrivilegeFixture.spec([Fixture.container()]) {
            $0.volumes = [volume("db") { $0.secret = SecretVolumeSource(secretName: "db") }]
        })
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [deployment] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// The token Secret that Kubernetes before 1.22 injected into every pod is not a finding; the same
    /// Secret mounted elsewhere, or another account's token, is.
    @Test func injectedServiceAccountTokenIsNotCounted() {
        func pod(_ name: String, secret: String, at path: String) -> Pod {
            let container = PrivilegeFixture.container { $0.volumeMounts = [PrivilegeFixture.mount("token", at: path, readOnly: true)] }
            return PrivilegeFixture.pod(name, spec: PrivilegeFixture.spec([container]) {
                $0.serviceAccountName = "builder"
                $0.volumes = [volume("token") { $0.secret = SecretVolumeSource(secretName: secret) }]
            })
        }
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.pods = [
                pod("injected", secret: "builder-token-x7k2p", at: "/var/run/secrets/kubernetes.io/serviceaccount"),
                pod("borrowed", secret: "admin-token-a1b2c", at: "/var/run/secrets/kubernetes.io/serviceaccount"),
                pod("copied", secret: "builder-token-x7k2p", at: "/tokens"),
            ]
        })
        #expect(result.failed.map(\.name) == ["borrowed", "copied"])
        #expect(result.verdicts.evidence(of: "borrowed") == ["spec.volumes[0].secret.secretName=admin-token-a1b2c mounted at spec.containers[0].volumeMounts[0]"])
    }
}

@Suite struct PersistentVolumeClaimAccessTests {
    let control = WorkloadPrivilegeControls.persistentVolumeClaimAccess

    static func claims(_ names: String...) -> [PersistentVolumeClaim] { names.map { PersistentVolumeClaim(metadata: Fixture.meta($0)) } }

    @Test func failsMountedClaim() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [mountingAll("db", [Volume(name: "tmp"), volume("data") { $0.persistentVolumeClaim = ClaimReference(claimName: "db-data") }])]
            $0.persistentVolumeClaims = Self.claims("db-data")
        })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "db")])
        #expect(result.verdicts.evidence(of: "db") == ["\(volumes)[1].persistentVolumeClaim.claimName=db-data mounted at \(c0).volumeMounts[1]"])
        #expect(control.informational)
    }

    @Test func passesWithoutClaims() {
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [mountingAll("web", [Volume(name: "tmp")])] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// A claim mounted by two containers is one evidence line per mount.
    @Test func oneLinePerMount() {
        let claim = volume("data") { $0.persistentVolumeClaim = ClaimReference(claimName: "shared") }
        let writer = PrivilegeFixture.container("writer") { $0.volumeMounts = [PrivilegeFixture.mount("data")] }
        let backup = PrivilegeFixture.container("backup") { $0.volumeMounts = [PrivilegeFixture.mount("data", readOnly: true)] }
        let deployment = PrivilegeFixture.deployment("app", spec: PrivilegeFixture.spec([writer]) { $0.volumes = [claim]; $0.initContainers = [backup] })
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [deployment]
            $0.persistentVolumeClaims = Self.claims("shared")
        })
        #expect(result.verdicts.evidence(of: "app") == [
            "\(volumes)[0].persistentVolumeClaim.claimName=shared mounted at \(c0).volumeMounts[0]",
            "\(volumes)[0].persistentVolumeClaim.claimName=shared mounted at spec.template.spec.initContainers[0].volumeMounts[0]",
        ])
    }
}

@Suite struct ConfigMapAccessTests {
    let control = WorkloadPrivilegeControls.configMapAccess

    @Test func failsConfigMapVolume() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [mountingAll("web", [volume("config") { $0.configMap = NameReference(name: "web-config") }])]
            $0.configMaps = [ConfigMap(metadata: Fixture.meta("web-config"), data: nil)]
        })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == ["\(volumes)[0].configMap.name=web-config mounted at \(c0).volumeMounts[0]"])
    }

    /// The API access volume Kubernetes projects into every pod (token, kube-root-ca.crt) is not a
    /// ConfigMap the workload asked for.
    @Test func passesInjectedCABundle() {
        let apiAccess = volume("kube-api-access-abcde") {
            $0.projected = ProjectedSource(sources: [ProjectedVolumeSource(configMap: NameReference(name: "kube-root-ca.crt"))])
        }
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [PrivilegeFixture.pod("web-1", spec: PrivilegeFixture.spec([PrivilegeFixture.container { $0.volumeMounts = [PrivilegeFixture.mount("kube-api-access-abcde")] }]) { $0.volumes = [apiAccess] })] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    @Test func projectedConfigMapSourcesCount() {
        let bundle = volume("bundle") {
            $0.projected = ProjectedSource(sources: [
                ProjectedVolumeSource(configMap: NameReference(name: "kube-root-ca.crt")),
                ProjectedVolumeSource(configMap: NameReference(name: "feature-flags")),
            ])
        }
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [mountingAll("web", [bundle])]
            $0.configMaps = [ConfigMap(metadata: Fixture.meta("feature-flags"), data: nil)]
        })
        #expect(result.verdicts.evidence(of: "web") == ["\(volumes)[0].projected.sources[1].configMap.name=feature-flags mounted at \(c0).volumeMounts[0]"])
    }
}

@Suite struct WorkloadPrivilegeCatalogueTests {
    @Test func familyHoldsEveryAssignedControlOnce() {
        let ids = WorkloadPrivilegeControls.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids) == [
            "C-0057", "C-0046", "C-0062", "C-0048", "C-0045", "C-0074", "C-0020", "C-0041", "C-0038", "C-0275", "C-0276",
            "C-0044", "C-0013", "C-0016", "C-0017", "C-0055", "C-0210", "C-0211", "C-0086", "C-0034", "C-0190", "C-0261",
            "C-0267", "C-0272", "C-0012", "C-0259", "C-0207", "C-0255", "C-0257", "C-0258",
        ])
    }

    @Test func everyControlIsDocumented() {
        for control in WorkloadPrivilegeControls.all {
            #expect(!control.description.isEmpty && !control.rationale.isEmpty && !control.remediation.isEmpty && !control.example.isEmpty, "\(control.id)")
            #expect(control.reads.starts(with: workloadKinds), "\(control.id)")
        }
    }

    /// Base scores and CIS membership from the catalogue.
    @Test func scoresAndFrameworks() {
        let byID = Dictionary(uniqueKeysWithValues: WorkloadPrivilegeControls.all.map { ($0.id, $0) })
        #expect(byID["C-0045"]?.severity == .high)
        #expect(byID["C-0017"]?.severity == .low)
        #expect(byID["C-0211"]?.baseScore == 8)
        let cis = WorkloadPrivilegeControls.all.filter { $0.frameworks.contains("cis-v1.12.0") }.map(\.id).sorted()
        #expect(cis == ["C-0041", "C-0190", "C-0207", "C-0210", "C-0211", "C-0275", "C-0276"])
        #expect(byID["C-0086"]?.frameworks == [])
        #expect(WorkloadPrivilegeControls.all.filter(\.informational).map(\.id).sorted() == ["C-0255", "C-0257", "C-0258"])
    }
}
