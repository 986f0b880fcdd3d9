import Inventory

extension WorkloadHygieneControls {
    static let versionControls: [Control] = [
        subPathSymlinkCVE, ingressNginxSnippetCVE, linuxKernelContainerEscapeCVE, argoCDDirectoryTraversalCVE,
        containerdFilesystemEscapeCVE, aggregatedAPIServerRedirectCVE, grafanaAuthBypassCVE, kyvernoSignatureBypassCVE,
        outdatedKubernetesVersion,
    ]

    /// Kubernetes minor releases the project still supports, newest three. Update it when a minor
    /// release ships or reaches end of life (https://kubernetes.io/releases/: roughly every four months).
    static let supportedKubernetesMinors = [SemanticVersion(1, 34, 0), SemanticVersion(1, 35, 0), SemanticVersion(1, 36, 0)]

    /// An image whose versions are affected by an advisory, recognised by the last component of its
    /// repository (`argocd` in `quay.io/argoproj/argocd`) and the version in its tag.
    struct VulnerableImage: Sendable {
        var product: String
        var imageNames: Set<String>
        var advisory: String
        var affected: [Range<SemanticVersion>]
        var fixedIn: String

        /// The affected version an image runs, or nil when it is another image, is not affected, or its
        /// tag names no complete version (a digest alone, `latest`, `9.2`).
        func affectedVersion(of reference: ImageReference) -> SemanticVersion? {
            guard imageNames.contains(reference.imageName), let tag = reference.tag, let version = SemanticVersion(tag),
                  version.isComplete, version.isIn(affected)
            else { return nil }
            return version
        }
    }

    /// The shared body of the image CVE controls: a workload fails when a container runs an affected version.
    static func vulnerableImageFailure(_ workload: Workload, _ image: VulnerableImage, in context: AuditContext) -> Failure? {
        imageFailure(workload, in: context, "\(workload.kind) \(workload.name) runs \(image.product) affected by \(image.advisory)") { imagePath, text, reference in
            guard let reference, let version = image.affectedVersion(of: reference) else { return nil }
            return "\(imagePath)=\(text): \(image.product) \(version) is affected by \(image.advisory) (fixed in \(image.fixedIn))"
        }
    }

    static let imageVersionNotes = "Checks every workload kind and init containers (Kubescape checks Deployments' containers only); the image is recognised by its parsed repository name and versions are compared numerically. An image whose tag names no complete version (digest only, `latest`) passes: its version cannot be known from the API."

    static let subPathSymlinkCVE = Control(
        id: "C-0058", name: "CVE-2021-25741 - Using symlink for arbitrary host file system access.", baseScore: 6,
        frameworks: ["NSA", "MITRE", "ArmoBest"],
        description: "Fails a workload with a container that mounts a volume with `subPath` or `subPathExpr` while a Node's kubelet is affected by CVE-2021-25741 (v1.19.14 and older, v1.20.0–v1.20.10, v1.21.0–v1.21.4, v1.22.0–v1.22.1).",
        rationale: "On an affected kubelet a container can replace a subPath directory with a symlink and make the kubelet mount any host path, such as the node's root filesystem, into the container.",
        remediation: "Upgrade the kubelets to v1.19.15, v1.20.11, v1.21.5, v1.22.2 or later; until then avoid subPath mounts in workloads you do not trust.",
        example: "kubectl get nodes -o custom-columns=NAME:.metadata.name,KUBELET:.status.nodeInfo.kubeletVersion",
        reads: [.nodes] + workloadKinds,
        notes: "Versions are compared numerically, vendor suffixes (`-eks-…`, `+k3s1`) ignored; Kubescape compares them as strings. The affected Nodes are listed as related objects. Init and ephemeral containers count."
    ) { context in
        let affected = [
            SemanticVersion(0, 0, 0)..<SemanticVersion(1, 19, 15), SemanticVersion(1, 20, 0)..<SemanticVersion(1, 20, 11),
            SemanticVersion(1, 21, 0)..<SemanticVersion(1, 21, 5), SemanticVersion(1, 22, 0)..<SemanticVersion(1, 22, 2),
        ]
        let affectedNodes = context.snapshot.nodes.compactMap { node -> (name: String, version: String)? in
            guard let text = node.status?.nodeInfo?.kubeletVersion, let version = SemanticVersion(text), version.isIn(affected) else {
                return nil
            }
            return (node.name, text)
        }
        let kubeletLines = Set(affectedNodes.map(\.version)).sorted().map { "kubelet \($0) is affected by CVE-2021-25741" }
        let related = affectedNodes.map { RelatedObject(kind: "Node", name: $0.name) }
        return context.evaluateWorkloads { workload in
            guard !affectedNodes.isEmpty else { return nil }
            let mounts = workload.podSpec.allContainers.flatMap { path, container in
                (container.volumeMounts ?? []).enumerated().flatMap { index, mount in
                    [("subPath", mount.subPath), ("subPathExpr", mount.subPathExpr)].compactMap { field, value in
                        value.flatMap { $0.isEmpty ? nil : "\(workload.path(path, "volumeMounts[\(index)].\(field)"))=\($0)" }
                    }
                }
            }
            guard !mounts.isEmpty else { return nil }
            return Failure(
                message: "\(workload.kind) \(workload.name) mounts subPaths on a cluster with kubelets affected by CVE-2021-25741",
                evidence: mounts + kubeletLines, related: related)
        }
    }

    /// Where the ingress-nginx controller reads its settings: `--configmap=<namespace>/<name>`, as the
    /// Helm chart writes it (`$(POD_NAMESPACE)` resolved to the workload's namespace).
    static func ingressNginxConfigMap(_ container: Container, namespace: String) -> (namespace: String, name: String)? {
        let arguments = (container.command ?? []) + (container.args ?? [])
        var value: String?
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--configmap=") {
                value = String(argument.dropFirst("--configmap=".count))
            } else if argument == "--configmap", index + 1 < arguments.count {
                value = arguments[index + 1]
            }
        }
        guard var reference = value, !reference.isEmpty else { return nil }
        reference = reference.replacing("$(POD_NAMESPACE)", with: namespace)
        let parts = reference.split(separator: "/", maxSplits: 1)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : (namespace, reference)
    }

    /// ingress-nginx reads booleans with Go's strconv.ParseBool.
    static func parseGoBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": true
        case "0", "f", "F", "false", "FALSE", "False": false
        default: nil
        }
    }

    static let ingressNginxSnippetCVE = Control(
        id: "C-0059", name: "CVE-2021-25742-nginx-ingress-snippet-annotation-vulnerability", baseScore: 8,
        frameworks: ["NSA", "MITRE", "ArmoBest"],
        description: "Fails a workload running the ingress-nginx controller that lets Ingress authors use snippet annotations: a version without the `allow-snippet-annotations` option (v0.49.0 and older, v1.0.0), or a later one whose ConfigMap does not set it to \"false\" (it defaults to true before v1.9.0).",
        rationale: "A snippet annotation injects raw nginx configuration into the controller, which can read the controller's ServiceAccount token and through it every Secret in the cluster: anyone allowed to create an Ingress becomes cluster admin.",
        remediation: "Upgrade ingress-nginx (v1.9.0 and later disable snippets by default) and set `allow-snippet-annotations: \"false\"` in the controller's ConfigMap.",
        example: "kubectl -n ingress-nginx patch configmap ingress-nginx-controller --type merge -p '{\"data\":{\"allow-snippet-annotations\":\"false\"}}'",
        reads: workloadKinds, bestEffortReads: [.configmaps],
        notes: "Reads the ConfigMap the controller is started with (`--configmap`), and fails versions that cannot disable snippets whatever their ConfigMap says, and fixed versions up to v1.8 whose ConfigMap does not disable them. Kubescape compares tags as strings and fails any controller whose namespace has no ConfigMap with the setting. Every workload kind is checked (Kubescape: Deployments). Only images that parse as the community controller (`…/ingress-nginx/controller`, `controller-chroot`, the old `nginx-ingress-controller`) are judged: NGINX Inc's `nginx/nginx-ingress`, the project's webhook-certgen and references that do not parse are not. A controller image whose tag names no complete version passes."
    ) { context in
        let snapshot = context.snapshot
        let configMaps = Dictionary(snapshot.configMaps.map { (ObjectKey(.configmaps, $0), $0) }, uniquingKeysWith: { first, _ in first })
        let configMapsUnreadable = snapshot.unavailableReason(.configmaps)
        let withoutOption = [SemanticVersion(0, 0, 0)..<SemanticVersion(0, 49, 1), SemanticVersion(1, 0, 0)..<SemanticVersion(1, 0, 1)]
        return context.evaluateWorkloads { workload in
            var related: [RelatedObject] = []
            let failure = workload.failure("\(workload.kind) \(workload.name) lets Ingress authors inject nginx configuration (CVE-2021-25742)") { path, container in
                guard let image = container.image, let reference = context.imageReference(image), isIngressNginxController(reference),
                      let tag = reference.tag, let version = SemanticVersion(tag), version.isComplete
                else { return [] }
                let imageLine = "\(workload.path(path, "image"))=\(image)"
                if version.isIn(withoutOption) {
                    return ["\(imageLine): ingress-nginx \(version) cannot disable snippet annotations (fixed in v0.49.1 and v1.0.1)"]
                }
                let defaultAllows = version < SemanticVersion(1, 9, 0)
                let defaultText = "allow-snippet-annotations defaults to \(defaultAllows) in \(version)"
                guard let reference = ingressNginxConfigMap(container, namespace: workload.namespace) else {
                    return defaultAllows ? ["\(imageLine): no --configmap argument, and \(defaultText)"] : []
                }
                let key = ObjectKey(.configmaps, namespace: reference.namespace, name: reference.name)
                let configMapName = "ConfigMap \(reference.namespace)/\(reference.name)"
                if let reason = configMapsUnreadable {
                    return defaultAllows ? ["\(imageLine): \(configMapName) could not be read (\(reason)), and \(defaultText)"] : []
                }
                guard let configMap = configMaps[key] else {
                    return defaultAllows ? ["\(imageLine): \(configMapName) does not exist, and \(defaultText)"] : []
                }
                related.append(key)
                guard let setting = configMap.data?["allow-snippet-annotations"], let allows = parseGoBool(setting) else {
                    return defaultAllows ? ["\(imageLine): \(configMapName) does not set allow-snippet-annotations, and \(defaultText)"] : []
                }
                return allows ? ["\(imageLine): \(configMapName) data.allow-snippet-annotations=\(setting)"] : []
            }
            return failure.map { Failure(message: $0.message, evidence: $0.evidence, related: related) }
        }
    }

    static let linuxKernelContainerEscapeCVE = Control(
        id: "C-0079", name: "CVE-2022-0185-linux-kernel-container-escape", baseScore: 4, frameworks: ["ArmoBest"],
        description: "Would fail Linux nodes whose kernel (5.1 to 5.16.1) is affected by CVE-2022-0185 while unprivileged user namespaces are enabled.",
        rationale: "A heap overflow in the kernel's filesystem context handling lets a process with CAP_SYS_ADMIN in a user namespace escape its container to the node.",
        remediation: "Upgrade node kernels to 5.16.2 or a distribution kernel with the fix, or set `kernel.unprivileged_userns_clone=0`.",
        example: "kubectl get nodes -o custom-columns=NAME:.metadata.name,KERNEL:.status.nodeInfo.kernelVersion",
        reads: [],
        notes: "Always skipped: the condition needs the node's `unprivileged_userns_clone` kernel setting, which Kubescape reads with its host sensor and the Kubernetes API does not expose."
    ) { _ in
        .skipped(reason: "needs the host sensor's kernel variables (unprivileged_userns_clone), which the Kubernetes API does not expose")
    }

    static let argoCD = VulnerableImage(
        product: "Argo CD", imageNames: ["argocd"], advisory: "CVE-2022-24348",
        affected: [SemanticVersion(0, 0, 0)..<SemanticVersion(2, 1, 9), SemanticVersion(2, 2, 0)..<SemanticVersion(2, 2, 4)],
        fixedIn: "v2.1.9, v2.2.4")

    static let argoCDDirectoryTraversalCVE = Control(
        id: "C-0081", name: "CVE-2022-24348-argocddirtraversal", baseScore: 4, frameworks: ["ArmoBest"],
        description: "Fails a workload running an Argo CD image affected by CVE-2022-24348 (before v2.1.9, and v2.2.0–v2.2.3).",
        rationale: "A crafted Helm chart in a repository Argo CD syncs can read files outside the repository on the repo server, including other applications' secrets and values files.",
        remediation: "Upgrade Argo CD to v2.1.9, v2.2.4 or later.",
        example: "image: quay.io/argoproj/argocd:v2.2.4",
        reads: workloadKinds, notes: imageVersionNotes
    ) { context in
        context.evaluateWorkloads { vulnerableImageFailure($0, argoCD, in: context) }
    }

    static let containerdFilesystemEscapeCVE = Control(
        id: "C-0087", name: "CVE-2022-23648-containerd-fs-escape", baseScore: 7, frameworks: ["ArmoBest"],
        description: "Fails a Node whose container runtime is containerd affected by CVE-2022-23648 (before v1.4.12, v1.5.0–v1.5.9, v1.6.0).",
        rationale: "A crafted image config makes an affected containerd copy arbitrary host files into the container: a malicious image reads the node's secrets, including kubelet credentials.",
        remediation: "Upgrade containerd to v1.4.12, v1.5.10, v1.6.1 or later.",
        example: "kubectl get nodes -o custom-columns=NAME:.metadata.name,RUNTIME:.status.nodeInfo.containerRuntimeVersion",
        reads: [.nodes],
        notes: "Nodes that run another runtime pass; Nodes that report no runtime version are not evaluated."
    ) { context in
        let affected = [
            SemanticVersion(0, 0, 0)..<SemanticVersion(1, 4, 12), SemanticVersion(1, 5, 0)..<SemanticVersion(1, 5, 10),
            SemanticVersion(1, 6, 0)..<SemanticVersion(1, 6, 1),
        ]
        return context.evaluateNodes(field: "containerRuntimeVersion", value: { $0.status?.nodeInfo?.containerRuntimeVersion }) { node, runtime in
            guard runtime.hasPrefix("containerd://"), let version = SemanticVersion(runtime.dropFirst("containerd://".count)),
                  version.isIn(affected)
            else { return nil }
            return Failure(
                message: "Node \(node.name) runs containerd \(version), affected by CVE-2022-23648",
                evidence: ["status.nodeInfo.containerRuntimeVersion=\(runtime)"])
        }
    }

    static let aggregatedAPIServerRedirectCVE = Control(
        id: "C-0089", name: "CVE-2022-3172-aggregated-API-server-redirect", baseScore: 3, frameworks: ["ArmoBest"],
        description: "Fails an APIService backed by a Service (an aggregated API server) while the kube-apiserver is affected by CVE-2022-3172 (v1.25.0, v1.24.0–v1.24.4, v1.23.0–v1.23.10, v1.22.0–v1.22.13, v1.21.14 and older) or its version is unknown.",
        rationale: "An affected kube-apiserver follows redirects from aggregated API servers: whoever controls the aggregated server can send clients' requests, with their credentials, to any URL.",
        remediation: "Upgrade the control plane to v1.22.14, v1.23.11, v1.24.5, v1.25.1 or later, and remove aggregated APIs you do not need.",
        example: "kubectl get apiservices | grep -v Local",
        reads: [.apiservices],
        notes: "The cluster version is the one the API server reported at scan time; an unknown version is treated as affected, as Kubescape does. An APIService fails whether or not its Service currently exists (Kubescape needs one Service of that name, in any namespace); the Service is listed as a related object."
    ) { context in
        let affected = [
            SemanticVersion(1, 25, 0)..<SemanticVersion(1, 25, 1), SemanticVersion(1, 24, 0)..<SemanticVersion(1, 24, 5),
            SemanticVersion(1, 23, 0)..<SemanticVersion(1, 23, 11), SemanticVersion(1, 22, 0)..<SemanticVersion(1, 22, 14),
            SemanticVersion(0, 0, 0)..<SemanticVersion(1, 21, 15),
        ]
        let text = context.snapshot.cluster.version
        let version = text.flatMap { SemanticVersion($0) }
        let versionLine: String?
        if let text, let version {
            versionLine = version.isIn(affected) ? "kube-apiserver \(text) is affected by CVE-2022-3172" : nil
        } else {
            versionLine = "kube-apiserver version unknown (\(text ?? "not reported")): treated as affected"
        }
        return .evaluated(context.snapshot.apiServices.map { apiService in
            let resource = ref(apiService, .apiservices)
            guard let versionLine, let service = apiService.spec?.service, let name = service.name else {
                return ResourceVerdict(resource: resource, failure: nil)
            }
            let namespace = service.namespace ?? "default"
            return ResourceVerdict(
                resource: resource,
                failure: Failure(
                    message: "APIService \(apiService.name) is served by an aggregated API server on a kube-apiserver affected by CVE-2022-3172",
                    evidence: ["spec.service=\(namespace)/\(name)", versionLine],
                    related: [RelatedObject(kind: "Service", namespace: namespace, name: name)]))
        })
    }

    static let grafana = VulnerableImage(
        product: "Grafana", imageNames: ["grafana", "grafana-oss", "grafana-enterprise"], advisory: "CVE-2022-39328",
        affected: [SemanticVersion(9, 2, 0)..<SemanticVersion(9, 2, 4)], fixedIn: "9.2.4")

    static let grafanaAuthBypassCVE = Control(
        id: "C-0090", name: "CVE-2022-39328-grafana-auth-bypass", baseScore: 9, frameworks: [],
        description: "Fails a workload running a Grafana image affected by CVE-2022-39328 (9.2.0–9.2.3).",
        rationale: "A race condition in Grafana's HTTP middleware lets an unauthenticated user reach authenticated endpoints: dashboards, data sources and their stored credentials.",
        remediation: "Upgrade Grafana to 9.2.4 or later.",
        example: "image: grafana/grafana:9.2.4",
        reads: workloadKinds,
        notes: imageVersionNotes + " Grafana Enterprise and OSS image names are recognised too (Kubescape matches `grafana:` only)."
    ) { context in
        context.evaluateWorkloads { vulnerableImageFailure($0, grafana, in: context) }
    }

    static let kyverno = VulnerableImage(
        product: "Kyverno", imageNames: ["kyverno"], advisory: "CVE-2022-47633",
        affected: [SemanticVersion(1, 8, 3)..<SemanticVersion(1, 8, 5)], fixedIn: "v1.8.5")

    static let kyvernoSignatureBypassCVE = Control(
        id: "C-0091", name: "CVE-2022-47633-kyverno-signature-bypass", baseScore: 8, frameworks: ["ArmoBest"],
        description: "Fails a workload running a Kyverno image affected by CVE-2022-47633 (v1.8.3–v1.8.4).",
        rationale: "Affected Kyverno verifies an image's signature but admits whatever image the registry returns afterwards: a malicious registry or proxy swaps a signed image for an unsigned one.",
        remediation: "Upgrade Kyverno to v1.8.5 or later.",
        example: "image: ghcr.io/kyverno/kyverno:v1.8.5",
        reads: workloadKinds, notes: imageVersionNotes
    ) { context in
        context.evaluateWorkloads { vulnerableImageFailure($0, kyverno, in: context) }
    }

    static let outdatedKubernetesVersion = Control(
        id: "C-0273", name: "Outdated Kubernetes version", baseScore: 2, frameworks: ["security"],
        description: "Fails a Node whose kubelet runs a Kubernetes minor release the project no longer supports (supported: \(supportedKubernetesMinors.map(\.minorRelease).joined(separator: ", "))).",
        rationale: "An unsupported release gets no security fixes: every Kubernetes CVE published after its end of life stays open on those nodes.",
        remediation: "Upgrade the control plane and then the nodes to a supported minor release, one minor at a time.",
        example: "kubectl get nodes -o custom-columns=NAME:.metadata.name,KUBELET:.status.nodeInfo.kubeletVersion",
        reads: [.nodes],
        notes: "The supported minors are a list in the code, updated with each Kubernetes release. A version that cannot be parsed fails; Nodes that report no kubelet version are not evaluated."
    ) { context in
        let supported = supportedKubernetesMinors.map(\.minorRelease).joined(separator: ", ")
        return context.evaluateNodes(field: "kubeletVersion", value: { $0.status?.nodeInfo?.kubeletVersion }) { node, text in
            if let version = SemanticVersion(text), supportedKubernetesMinors.contains(where: version.isSameMinor) {
                return nil
            }
            return Failure(
                message: "Node \(node.name) runs kubelet \(text), outside the supported minors \(supported)",
                evidence: ["status.nodeInfo.kubeletVersion=\(text)"])
        }
    }
}
