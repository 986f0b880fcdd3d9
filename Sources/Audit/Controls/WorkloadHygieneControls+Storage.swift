import Inventory

/// Where data and secrets are stored: volume encryption and external secret stores.
extension WorkloadHygieneControls {
    static let storageControls: [Control] = [persistentVolumeEncryption, externalSecretStorage]

    /// What the API tells about a PersistentVolume's encryption at rest.
    enum VolumeEncryption: Equatable {
        /// Encrypted by its provider whatever the StorageClass says, or declared encrypted.
        case encrypted
        /// Declared unencrypted, with the field that says so.
        case unencrypted(evidence: String)
        /// Decided by the StorageClass or the cloud disk, neither of which the PersistentVolume shows.
        case unknown
    }

    /// CSI drivers whose provider encrypts every volume at rest, with no way to turn it off: Azure
    /// Storage Service Encryption (`*.csi.azure.com`) and Google Cloud (`*.csi.storage.gke.io`), the
    /// providers Kubescape's rule also treats as encrypted.
    static func isAlwaysEncrypted(driver: String) -> Bool {
        driver.hasSuffix(".csi.azure.com") || driver == "csi.storage.gke.io" || driver.hasSuffix(".csi.storage.gke.io")
    }

    static func encryption(of volume: PersistentVolume) -> VolumeEncryption {
        guard let csi = volume.spec?.csi else { return .unknown }
        if isAlwaysEncrypted(driver: csi.driver) { return .encrypted }
        switch csi.volumeAttributes?["encrypted"]?.lowercased() {
        case "true": return .encrypted
        case let value? where value == "false":
            return .unencrypted(evidence: "spec.csi.volumeAttributes.encrypted=\(value) (driver \(csi.driver))")
        default: return .unknown
        }
    }

    static let persistentVolumeEncryption = Control(
        id: "C-0264", name: "PersistentVolume without encryption", baseScore: 5, frameworks: ["SOC2", "security"],
        description: "Fails a PersistentVolume declared unencrypted (`spec.csi.volumeAttributes.encrypted: \"false\"`). Volumes of Azure and Google Cloud CSI drivers are encrypted by their provider and pass. The control is skipped when no volume is known to be unencrypted and some volume's encryption cannot be known from the API.",
        rationale: "An unencrypted volume's data can be read by anyone who gets hold of the disk or its snapshots: a leaked backup, a reused disk, a cloud account compromise.",
        remediation: "Provision volumes from a StorageClass that encrypts (for example `encrypted: \"true\"` with the AWS EBS CSI driver, or a KMS key), and migrate the data of unencrypted ones.",
        example: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3-encrypted}\nprovisioner: ebs.csi.aws.com\nparameters: {type: gp3, encrypted: \"true\"}",
        reads: [.persistentvolumes],
        notes: "Kubescape reads the StorageClass's parameters; Lookout does not collect StorageClasses, and encryption of most volumes (AWS EBS, in-tree cloud disks, hostPath, local, NFS) is decided by the StorageClass or the cloud provider, out of the API's sight. Lookout therefore judges a volume only when the PersistentVolume itself tells: encrypted when its CSI driver is Azure's or Google Cloud's or its `volumeAttributes.encrypted` is true, unencrypted when that attribute is false. Volumes it cannot judge are left out; when no volume is unencrypted and some cannot be judged, the control is skipped instead of passing."
    ) { context in
        let volumes = context.snapshot.persistentVolumes.map { ($0, encryption(of: $0)) }
        let unknown = volumes.filter { $0.1 == .unknown }.count
        let hasUnencrypted = volumes.contains { if case .unencrypted = $0.1 { true } else { false } }
        if unknown > 0, !hasUnencrypted {
            return .skipped(reason: "encryption at rest of \(unknown) of \(volumes.count) PersistentVolumes is set by their StorageClass or cloud provider, which the Kubernetes API does not show")
        }
        return .evaluated(volumes.compactMap { volume, state in
            switch state {
            case .unknown: return nil
            case .encrypted: return ResourceVerdict(resource: ref(volume, .persistentvolumes), failure: nil)
            case .unencrypted(let evidence):
                return ResourceVerdict(
                    resource: ref(volume, .persistentvolumes),
                    failure: Failure(message: "PersistentVolume \(volume.name) is not encrypted at rest", evidence: [evidence]))
            }
        })
    }

    /// A product that keeps secrets outside the cluster and hands them to pods, recognised by a
    /// workload's image repository or name.
    struct ExternalSecretStore: Sendable {
        var product: String
        /// Substrings of `registry/repository`.
        var images: [String]
        /// Substrings of the workload's name.
        var names: [String]
    }

    static let externalSecretStores: [ExternalSecretStore] = [
        ExternalSecretStore(product: "External Secrets Operator", images: ["external-secrets/external-secrets"], names: ["external-secrets"]),
        ExternalSecretStore(
            product: "Secrets Store CSI Driver", images: ["csi-secrets-store/driver", "secrets-store-csi-driver"],
            names: ["secrets-store-csi-driver", "csi-secrets-store"]),
        ExternalSecretStore(product: "Vault Agent Injector", images: ["hashicorp/vault-k8s"], names: ["vault-agent-injector"]),
        ExternalSecretStore(product: "Vault CSI Provider", images: ["hashicorp/vault-csi-provider"], names: ["vault-csi-provider"]),
        ExternalSecretStore(product: "Vault Secrets Operator", images: ["hashicorp/vault-secrets-operator"], names: ["vault-secrets-operator"]),
        ExternalSecretStore(product: "1Password Connect Operator", images: ["1password/onepassword-operator"], names: ["onepassword-connect-operator"]),
    ]

    /// The external secret store a workload runs, if it runs one.
    static func externalSecretStore(run workload: Workload, in context: AuditContext) -> ExternalSecretStore? {
        let images = workload.podSpec.allContainers.compactMap { $0.container.image.flatMap(context.imageReference)?.name }
        return externalSecretStores.first { store in
            store.names.contains(where: workload.name.containsSubstring)
                || images.contains { image in store.images.contains(where: image.containsSubstring) }
        }
    }

    static let externalSecretStorage = Control(
        id: "C-0208", name: "Consider external secret storage", baseScore: 5, frameworks: ["cis-v1.12.0"],
        description: "Looks for an operator that brings secrets from an external store (External Secrets Operator, Secrets Store CSI Driver, HashiCorp Vault injector, CSI provider or secrets operator, 1Password Connect operator) and lists the workloads that run it; without one, the control is a manual review and is skipped.",
        rationale: "Secrets kept only in etcd are as safe as etcd, its backups and everyone who can read Secrets; an external store adds rotation, audit and access control outside the cluster.",
        remediation: "Keep secrets in an external secret manager (Vault, a cloud secret manager) and deliver them with External Secrets Operator or the Secrets Store CSI Driver.",
        example: "helm install external-secrets external-secrets/external-secrets -n external-secrets --create-namespace",
        reads: workloadKinds,
        notes: "CIS 5.4.2 is a manual check. Lookout recognises the operators above by image repository or workload name and reports them as passing resources; when none runs, it skips the control for manual review. Kubescape instead fails every workload whose first volume is not a CSI secret provider volume."
    ) { context in
        let stores = context.workloads.filter { externalSecretStore(run: $0, in: context) != nil }
        guard !stores.isEmpty else {
            return .skipped(reason: "manual review: no external secret store operator (External Secrets Operator, Secrets Store CSI Driver, Vault, 1Password) was found by workload image or name")
        }
        return evaluate(stores) { _ in nil }
    }
}
