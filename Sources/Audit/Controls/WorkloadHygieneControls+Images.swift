import Inventory

extension WorkloadHygieneControls {
    static let imageControls: [Control] = [
        imagePullPolicyOnLatestTag, imagesFromAllowedRegistry, deprecatedKubernetesRegistry, imagesNotPinnedToDigest,
        verifyImageSignature, checkSignatureExists, ingressNginxEndOfLife,
    ]

    /// Evidence from every container image of a workload that `check` finds wrong, given the image as
    /// written and parsed (nil when it is not a valid reference). Containers without an image are skipped.
    static func imageFailure(
        _ workload: Workload, in context: AuditContext, _ message: @autoclosure () -> String,
        check: (_ imagePath: String, _ image: String, _ reference: ImageReference?) -> String?
    ) -> Failure? {
        workload.failure(message()) { path, container in
            guard let image = container.image else { return [] }
            return check(workload.path(path, "image"), image, context.imageReference(image)).map { [$0] } ?? []
        }
    }

    /// The community ingress-nginx controller (kubernetes/ingress-nginx), under its current name
    /// (`…/ingress-nginx/controller`, `controller-chroot`) and its old one (`…/nginx-ingress-controller`).
    /// NGINX Inc's controller (`nginx/nginx-ingress`) is another product and is not matched.
    static func isIngressNginxController(_ reference: ImageReference) -> Bool {
        let components = reference.repository.split(separator: "/")
        if reference.imageName == "nginx-ingress-controller" { return true }
        guard components.count >= 2, components[components.count - 2] == "ingress-nginx" else { return false }
        return reference.imageName == "controller" || reference.imageName == "controller-chroot"
    }

    /// Whether `candidate` starts with an allow-list entry at a path boundary: `registry.example` allows
    /// `registry.example/app` and `registry.example:5000/…` but not `registry.example.evil.com/app`.
    static func reference(_ candidate: String, isAllowedBy entry: String) -> Bool {
        let candidateBytes = Array(candidate.utf8)
        let entryBytes = Array(entry.utf8)
        guard !entryBytes.isEmpty, candidateBytes.starts(with: entryBytes) else { return false }
        if entryBytes.last == UInt8(ascii: "/") || candidateBytes.count == entryBytes.count { return true }
        return [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@")].contains(candidateBytes[entryBytes.count])
    }

    static let imagePullPolicyOnLatestTag = Control(
        id: "C-0075", name: "Image pull policy on latest tag", baseScore: 2, frameworks: ["DevOpsBest"],
        description: "Fails a workload with a container whose image is `:latest`, untagged, or uses a tag listed in `floatingImageTags`, while its `imagePullPolicy` is `IfNotPresent` or `Never`.",
        rationale: "A floating tag with a cached pull policy runs whatever image each node happened to pull last: nodes drift apart, a fixed image never arrives, and a poisoned image cached once keeps running.",
        remediation: "Pin images to a version tag or digest; if a floating tag must stay, set `imagePullPolicy: Always`.",
        example: "image: nginx:1.27.2\nimagePullPolicy: IfNotPresent   # or: image: nginx:latest with imagePullPolicy: Always",
        reads: workloadKinds,
        notes: "`floatingImageTags` comes from the controls configuration (any of its shapes, e.g. Kubescape's `{\"postureControlInputs\": {\"floatingImageTags\": [\"alpine\"]}}`) and is compared with the tag exactly, as Kubescape does. An image pinned by digest passes whatever its tag: the runtime pulls by digest (Kubescape fails `nginx:latest@sha256:…`). An unset pull policy passes: Kubernetes defaults it to Always for these images. Init and ephemeral containers are checked too (Kubescape checks `containers` only)."
    ) { context in
        let floating = Set(context.config.floatingImageTags)
        return context.evaluateWorkloads { workload in
            workload.failure("\(workload.kind) \(workload.name) caches a floating image tag") { path, container in
                guard let image = container.image, let policy = container.imagePullPolicy, policy == "IfNotPresent" || policy == "Never",
                      let reference = context.imageReference(image), reference.digest == nil
                else { return [] }
                let why: String
                if let tag = reference.tag {
                    if tag == "latest" {
                        why = "tag latest"
                    } else if floating.contains(tag) {
                        why = "floating tag \(tag) (floatingImageTags)"
                    } else {
                        return []
                    }
                } else {
                    why = "no tag (resolves to latest)"
                }
                return ["\(workload.path(path, "imagePullPolicy"))=\(policy) with \(workload.path(path, "image"))=\(image): \(why)"]
            }
        }
    }

    static let imagesFromAllowedRegistry = Control(
        id: "C-0078", name: "Images from allowed registry", baseScore: 5, frameworks: ["ArmoBest", "WorkloadScan"],
        description: "Fails a workload with a container image that does not come from a registry or repository listed in `imageRepositoryAllowList`; skipped when the list is empty.",
        rationale: "Images from arbitrary registries bypass the scanning, signing and provenance checks of your own registry: a typo-squatted or compromised public image runs with the workload's privileges.",
        remediation: "Mirror the images you need into an approved registry and reference them from there; list approved prefixes in `imageRepositoryAllowList`.",
        example: "# controls-config\nimageRepositoryAllowList: [\"registry.example.com/\", \"docker.io/library/\"]",
        reads: workloadKinds,
        notes: "An entry matches the normalized reference (`nginx` is `docker.io/library/nginx`) or the image as written, at a path boundary: `registry.example` allows `registry.example/app` but not `registry.example.evil.com/app` (Kubescape's plain prefix match allows both). Init and ephemeral containers are checked too."
    ) { context in
        let allowList = context.config.imageRepositoryAllowList.filter { !$0.isEmpty }
        guard !allowList.isEmpty else { return .skipped(reason: "needs imageRepositoryAllowList in controls-config") }
        return context.evaluateWorkloads { workload in
            imageFailure(workload, in: context, "\(workload.kind) \(workload.name) runs an image from a registry outside the allow list") { imagePath, image, reference in
                guard let reference else { return "\(imagePath)=\(image) is not a valid image reference" }
                let allowed = allowList.contains { entry in
                    Self.reference(reference.description, isAllowedBy: entry) || Self.reference(image, isAllowedBy: entry)
                }
                return allowed ? nil : "\(imagePath)=\(image) (\(reference.name)) matches no imageRepositoryAllowList entry"
            }
        }
    }

    static let deprecatedKubernetesRegistry = Control(
        id: "C-0253", name: "Deprecated Kubernetes image registry", baseScore: 5, frameworks: ["DevOpsBest"],
        description: "Fails a workload with a container image pulled from `k8s.gcr.io`, the Kubernetes project's frozen registry.",
        rationale: "k8s.gcr.io has been frozen since April 2023: it gets no new images and no security fixes, and images there may disappear. Workloads pinned to it stay on vulnerable versions.",
        remediation: "Pull the same images from `registry.k8s.io`.",
        example: "image: registry.k8s.io/pause:3.9   # instead of k8s.gcr.io/pause:3.2",
        reads: workloadKinds
    ) { context in
        context.evaluateWorkloads { workload in
            imageFailure(workload, in: context, "\(workload.kind) \(workload.name) pulls images from the frozen k8s.gcr.io registry") { imagePath, image, reference in
                reference?.registry == "k8s.gcr.io" ? "\(imagePath)=\(image) comes from k8s.gcr.io" : nil
            }
        }
    }

    static let imagesNotPinnedToDigest = Control(
        id: "C-0306", name: "Images not pinned to digest", baseScore: 3, frameworks: ["ArmoBest"],
        description: "Fails a workload with a container image (init and ephemeral containers too) not referenced by a well-formed digest: `sha256` or `blake3` with 64 lower-case hex characters, `sha512` with 128, another algorithm with at least 32 characters. Images from repositories listed in `imageDigestExemptRepositories` pass.",
        rationale: "A tag is mutable: whoever can push to the repository can replace the image behind `app:1.4` and every new pod runs it. Only a digest names exactly the image that was reviewed.",
        remediation: "Reference images by digest (`app:1.4@sha256:…`); let your CD tooling resolve tags to digests.",
        example: "image: registry.example.com/app:1.4@sha256:4c3b…\n# controls-config\nimageDigestExemptRepositories: [registry.example.com/dev]",
        reads: workloadKinds,
        notes: "Digest validity follows Kubescape's rule (a truncated, upper-case or malformed digest does not pin). An `imageDigestExemptRepositories` entry matches at a path boundary (`internal-registry` exempts `internal-registry/app` but not `internal-registry-attacker/app`), against the image as written as Kubescape does, and also against the normalized reference (`docker.io/library/nginx` exempts `nginx`). An image reference that cannot be parsed is reported as evidence."
    ) { context in
        let exempt = context.config.imageDigestExemptRepositories.filter { !$0.isEmpty }
        return context.evaluateWorkloads { workload in
            imageFailure(workload, in: context, "\(workload.kind) \(workload.name) runs images not pinned to a digest") { imagePath, image, reference in
                let exempted = exempt.contains { entry in
                    Self.reference(image, isAllowedBy: entry) || reference.map { Self.reference($0.description, isAllowedBy: entry) } == true
                }
                if exempted { return nil }
                guard let reference else { return "\(imagePath)=\(image) is not a valid image reference" }
                if reference.isPinnedByDigest { return nil }
                return reference.digest == nil
                    ? "\(imagePath)=\(image) has no digest" : "\(imagePath)=\(image) has a malformed digest (wrong length, case or algorithm)"
            }
        }
    }

    static let verifyImageSignature = Control(
        id: "C-0236", name: "Verify image signature", baseScore: 7, frameworks: ["ArmoBest"],
        description: "Would verify each workload image's signature against trusted keys.",
        rationale: "Signature verification proves an image was built by your pipeline and not replaced in the registry.",
        remediation: "Sign images (cosign, Notation) and enforce signatures at admission (Kyverno verifyImages, Sigstore policy-controller, Connaisseur).",
        example: "cosign verify --key cosign.pub registry.example.com/app:1.4",
        reads: [],
        notes: "Always skipped: verifying a signature needs registry access and the signing keys, and Lookout reads only the Kubernetes API."
    ) { _ in
        .skipped(reason: "needs registry access and the signing keys to verify image signatures; Lookout reads only the Kubernetes API")
    }

    static let checkSignatureExists = Control(
        id: "C-0237", name: "Check if signature exists", baseScore: 7, frameworks: ["ArmoBest"],
        description: "Would check that each workload image has a signature in its registry.",
        rationale: "An unsigned image has no verifiable origin: anyone able to push to the repository can replace it.",
        remediation: "Sign every image your pipeline publishes (cosign sign) and enforce signatures at admission.",
        example: "cosign tree registry.example.com/app:1.4",
        reads: [],
        notes: "Always skipped: finding signatures needs registry access, and Lookout reads only the Kubernetes API."
    ) { _ in
        .skipped(reason: "needs registry access to look up image signatures; Lookout reads only the Kubernetes API")
    }

    static let ingressNginxEndOfLife = Control(
        id: "C-0292", name: "Nginx Ingress Controller End of Life", baseScore: 6,
        frameworks: ["NSA", "DevOpsBest", "ArmoBest", "security"],
        description: "Fails a workload that runs the community ingress-nginx controller (`registry.k8s.io/ingress-nginx/controller`, `k8s.gcr.io/ingress-nginx/controller`, the old `nginx-ingress-controller` images), which reaches end of life in March 2026.",
        rationale: "After end of life no security fixes ship: the controller terminates TLS for and sees every request to the cluster's ingresses, and its past CVEs (snippet injection, IngressNightmare) gave cluster-wide secret access.",
        remediation: "Migrate to a maintained controller (Gateway API implementations, NGINX Inc's nginx-ingress, Traefik, HAProxy, cloud load balancer controllers).",
        example: "kubectl get deploy,ds -A -o wide | grep ingress-nginx/controller",
        reads: workloadKinds,
        notes: "Checks every workload kind and init containers, by parsed repository: Kubescape checks Deployments, DaemonSets and StatefulSets by substring, which also matches the project's webhook-certgen image."
    ) { context in
        context.evaluateWorkloads { workload in
            imageFailure(workload, in: context, "\(workload.kind) \(workload.name) runs the ingress-nginx controller, end of life in March 2026") { imagePath, image, reference in
                guard let reference, isIngressNginxController(reference) else { return nil }
                return "\(imagePath)=\(image) is the community ingress-nginx controller"
            }
        }
    }
}
