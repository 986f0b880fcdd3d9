@testable import Audit
import Inventory
import Testing

@Suite struct PersistentVolumeEncryptionTests {
    let control = WorkloadHygieneControls.persistentVolumeEncryption

    func volumes() throws -> [PersistentVolume] {
        try [
            HygieneFixture.persistentVolume("azure", spec: #"{"csi": {"driver": "disk.csi.azure.com", "volumeHandle": "x"}}"#),
            HygieneFixture.persistentVolume("gke", spec: #"{"csi": {"driver": "pd.csi.storage.gke.io"}}"#),
            HygieneFixture.persistentVolume("declared", spec: #"{"csi": {"driver": "example.csi.io", "volumeAttributes": {"encrypted": "true"}}}"#),
        ]
    }

    @Test func failsVolumeDeclaredUnencrypted() throws {
        let plain = try HygieneFixture.persistentVolume("plain", spec: #"{"csi": {"driver": "ebs.csi.aws.com", "volumeAttributes": {"encrypted": "false"}}}"#)
        let unknown = try HygieneFixture.persistentVolume("nfs", spec: #"{"storageClassName": "nfs"}"#)
        let snapshot = Fixture.snapshot { $0.persistentVolumes = [plain, unknown] }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [ResourceRef(apiVersion: "v1", kind: "PersistentVolume", namespace: nil, name: "plain")])
        #expect(result.all.map(\.name) == ["plain"])
        #expect(HygieneFixture.evidence(result) == ["spec.csi.volumeAttributes.encrypted=false (driver ebs.csi.aws.com)"])
    }

    @Test func passesVolumesKnownToBeEncrypted() throws {
        let known = try volumes()
        let result = Fixture.run(control, on: Fixture.snapshot { $0.persistentVolumes = known })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 3)
    }

    /// Encryption set by a StorageClass or the cloud is invisible to the API: the control skips rather
    /// than pass when it cannot judge every volume and none is known to be unencrypted.
    @Test func skippedWhenEncryptionCannotBeKnown() throws {
        let ebs = try HygieneFixture.persistentVolume("ebs", spec: #"{"csi": {"driver": "ebs.csi.aws.com"}, "storageClassName": "gp3"}"#)
        let known = try volumes()
        let snapshot = Fixture.snapshot { $0.persistentVolumes = known + [ebs] }
        #expect(Fixture.run(control, on: snapshot).skipped
            == "encryption at rest of 1 of 4 PersistentVolumes is set by their StorageClass or cloud provider, which the Kubernetes API does not show")
    }
}

@Suite struct ExternalSecretStorageTests {
    let control = WorkloadHygieneControls.externalSecretStorage

    @Test func skippedForManualReviewWithoutOperator() {
        let snapshot = Fixture.snapshot { $0.deployments = [HygieneFixture.deployment("web", containers: [Fixture.container()])] }
        #expect(Fixture.run(control, on: snapshot).skipped
            == "manual review: no external secret store operator (External Secrets Operator, Secrets Store CSI Driver, Vault, 1Password) was found by workload image or name")
    }

    @Test func listsOperatorFoundByImage() {
        let snapshot = Fixture.snapshot {
            $0.deployments = [
                HygieneFixture.deployment("eso", namespace: "external-secrets", containers: [HygieneFixture.image("oci.external-secrets.io/external-secrets/external-secrets:v0.10.4")]),
                HygieneFixture.deployment("web", containers: [Fixture.container()]),
            ]
        }
        let result = Fixture.run(control, on: snapshot)
        #expect(result.skipped == nil)
        #expect(result.all == [ResourceRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "external-secrets", name: "eso")])
        #expect(result.failed.isEmpty)
    }

    /// The Secrets Store CSI Driver runs as a DaemonSet and is recognised by name as well.
    @Test func recognisesOperatorByName() {
        let daemonSet = DaemonSet(
            metadata: Fixture.meta("csi-secrets-store", namespace: "kube-system"),
            spec: DaemonSet.Spec(template: PodTemplate(spec: PodSpec(containers: [HygieneFixture.image("mirror.example/driver:v1.4.0")]))))
        let result = Fixture.run(control, on: Fixture.snapshot { $0.daemonSets = [daemonSet] })
        #expect(result.all.map(\.name) == ["csi-secrets-store"])
    }
}

@Suite struct WorkloadHygieneCatalogueTests {
    static let expected = [
        "C-0009", "C-0050", "C-0004", "C-0270", "C-0271", "C-0268", "C-0269", "C-0018", "C-0056", "C-0061", "C-0073", "C-0076",
        "C-0077", "C-0212", "C-0209", "C-0075", "C-0078", "C-0253", "C-0306", "C-0236", "C-0237", "C-0292", "C-0293", "C-0294",
        "C-0295", "C-0296", "C-0298", "C-0299", "C-0300", "C-0302", "C-0305", "C-0307", "C-0058", "C-0059", "C-0079", "C-0081",
        "C-0087", "C-0089", "C-0090", "C-0091", "C-0273", "C-0264", "C-0208",
    ]

    @Test func familyHoldsEveryControlOnce() {
        #expect(WorkloadHygieneControls.all.map(\.id) == Self.expected)
    }

    @Test func metadataIsComplete() {
        let known: Set = ["NSA", "MITRE", "ArmoBest", "DevOpsBest", "ClusterScan", "security", "WorkloadScan", "SOC2", "cis-v1.12.0"]
        for control in WorkloadHygieneControls.all {
            #expect(Set(control.frameworks).isSubset(of: known), "\(control.id)")
            #expect(!control.description.isEmpty && !control.rationale.isEmpty && !control.remediation.isEmpty && !control.example.isEmpty, "\(control.id)")
            #expect(control.baseScore > 0, "\(control.id)")
        }
        let informational = WorkloadHygieneControls.all.filter(\.informational).map(\.id)
        #expect(informational == ["C-0209"])
    }
}
