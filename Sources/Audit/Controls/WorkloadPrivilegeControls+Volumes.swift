import Inventory

/// Controls that list workloads with access to stored data (Secrets, PersistentVolumeClaims,
/// ConfigMaps) for review: what an intruder in the pod would reach. They are informational.
extension WorkloadPrivilegeControls {
    static let serviceAccountTokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Before Kubernetes 1.22 the API server injected the ServiceAccount token into pods as a Secret
    /// volume (`<account>-token-xxxxx`); that token is C-0034's concern, not a Secret the
    /// workload asked for.
    static func isInjectedTokenSecret(_ workload: Workload, _ mounted: MountedVolume) -> Bool {
        guard let secretName = mounted.volume.secret?.secretName else { return false }
        return canonicalHostPath(mounted.mount.mountPath) == serviceAccountTokenMountPath
            && secretName.hasPrefix("\(workload.podSpec.effectiveServiceAccountName)-token-")
    }

    /// Evidence lines for the mounts whose volume yields a source, one per mount.
    static func volumeAccessFailure(
        _ workload: Workload, _ message: String, source: (MountedVolume) -> [String]
    ) -> Failure? {
        let evidence = workload.mountedVolumes.flatMap { mounted in source(mounted).map { workload.mountEvidence(mounted, source: $0) } }
        return evidence.isEmpty ? nil : Failure(message: "\(workload.kind) \(workload.name) \(message)", evidence: evidence)
    }

    static let volumeAccessNotes = "Informational: mounting data is not a misconfiguration, so the control is kept out of the risk score; it lists what an intruder in the pod would reach. Only volumes that a container mounts count."

    static let secretAccess = Control(
        id: "C-0255", name: "Workload with secret access", baseScore: 8,
        frameworks: ["security"],
        description: "Lists workloads with a container that mounts a Secret volume, or a projected volume with a Secret source.",
        rationale: "Whoever gets code execution in the pod reads the mounted Secrets: database passwords, API keys, TLS keys. Knowing which workloads hold which Secrets tells you what a compromise of each would leak.",
        remediation: "Mount only the Secrets (and keys, with `items`) the container needs, into the containers that need them.",
        example: "volumes:\n- name: tls\n  secret:\n    secretName: web-tls\n    items: [{key: tls.key, path: tls.key}]",
        reads: workloadKinds,
        informational: true,
        notes: volumeAccessNotes + " The ServiceAccount token Secret that Kubernetes before 1.22 injected into every pod is not counted (C-0034 covers tokens)."
    ) { context in
        context.evaluateWorkloads { workload in
            volumeAccessFailure(workload, "mounts Secrets") { mounted in
                if let secret = mounted.volume.secret, !isInjectedTokenSecret(workload, mounted) {
                    return ["secret.secretName=\(secret.secretName ?? "")"]
                }
                return (mounted.volume.projected?.sources ?? []).enumerated().compactMap { index, source in
                    source.secret.map { "projected.sources[\(index)].secret.name=\($0.name ?? "")" }
                }
            }
        }
    }

    static let persistentVolumeClaimAccess = Control(
        id: "C-0257", name: "Workload with PVC access", baseScore: 4,
        frameworks: ["security", "WorkloadScan"],
        description: "Lists workloads with a container that mounts a PersistentVolumeClaim that exists in the workload's namespace.",
        rationale: "Persistent volumes hold the data that outlives pods (databases, uploads, backups): a compromised pod with a claim mounted can read, encrypt or destroy it.",
        remediation: "Mount claims read-only where the container only reads, and only into the containers that need them.",
        example: "volumeMounts:\n- {name: data, mountPath: /data, readOnly: true}",
        reads: workloadKinds + [.persistentvolumeclaims],
        informational: true,
        notes: volumeAccessNotes + " As in Kubescape, the claim is looked up in the workload's own namespace (claims are namespaced): a volume naming a claim that does not exist there gives no access and is not listed."
    ) { context in
        let claims = context.snapshot.keys(of: .persistentvolumeclaims)
        return context.evaluateWorkloads { workload in
            volumeAccessFailure(workload, "mounts PersistentVolumeClaims") { mounted in
                guard let claim = mounted.volume.persistentVolumeClaim, claims.contains(ObjectKey(.persistentvolumeclaims, namespace: workload.namespace, name: claim.claimName)) else {
                    return []
                }
                return ["persistentVolumeClaim.claimName=\(claim.claimName)"]
            }
        }
    }

    /// The CA bundle Kubernetes projects into every pod next to its token: public, not configuration.
    static let injectedCABundle = "kube-root-ca.crt"

    static let configMapAccess = Control(
        id: "C-0258", name: "Workload with ConfigMap access", baseScore: 5,
        frameworks: ["security"],
        description: "Lists workloads with a container that mounts a ConfigMap of its own namespace through a `configMap` volume, or a projected volume with a ConfigMap source other than the cluster's `kube-root-ca.crt`.",
        rationale: "ConfigMaps often carry configuration that is sensitive in practice (endpoints, feature flags, sometimes credentials by mistake); a compromised pod reads every one it mounts.",
        remediation: "Mount only the ConfigMaps the container needs, and keep credentials in Secrets.",
        example: "volumes:\n- name: config\n  configMap: {name: web-config}",
        reads: workloadKinds + [.configmaps],
        informational: true,
        notes: volumeAccessNotes + " As in Kubescape, the ConfigMap is looked up in the workload's own namespace: a volume naming a ConfigMap that does not exist there gives no access and is not listed. Projected ConfigMap sources count too (Kubescape reads `configMap` volumes only), except `kube-root-ca.crt`, which Kubernetes projects into every pod."
    ) { context in
        let configMaps = context.snapshot.keys(of: .configmaps)
        return context.evaluateWorkloads { workload in
            func exists(_ name: String?) -> Bool { configMaps.contains(ObjectKey(.configmaps, namespace: workload.namespace, name: name ?? "")) }
            return volumeAccessFailure(workload, "mounts ConfigMaps") { mounted in
                if let configMap = mounted.volume.configMap {
                    return exists(configMap.name) ? ["configMap.name=\(configMap.name ?? "")"] : []
                }
                return (mounted.volume.projected?.sources ?? []).enumerated().compactMap { index, source in
                    guard let configMap = source.configMap, configMap.name != injectedCABundle, exists(configMap.name) else { return nil }
                    return "projected.sources[\(index)].configMap.name=\(configMap.name ?? "")"
                }
            }
        }
    }
}
