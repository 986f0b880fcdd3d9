import Inventory

/// Controls about who is bound and to what: anonymous callers, ServiceAccounts, the dashboard's
/// identity and bindings whose role or subject does not exist.
extension RBACControls {
    static let serviceAccountAccess = Control(
        id: "C-0053", name: "Access container service account", baseScore: 6,
        frameworks: ["MITRE"],
        description: "Lists every ServiceAccount that a RoleBinding or ClusterRoleBinding names, with the roles it is bound to, for review.",
        rationale: "A pod's ServiceAccount token is the credential an attacker finds first after entering a container; the bindings of each ServiceAccount are what that token is worth.",
        remediation: "Review each ServiceAccount's bindings; remove those the workload does not need and set `automountServiceAccountToken: false` where the workload does not call the API.",
        example: "kubectl get rolebindings,clusterrolebindings -A -o wide | grep ServiceAccount",
        reads: bindingKinds,
        informational: true,
        notes: "Informational: kept out of the risk score. Lists every bound ServiceAccount as controls.md specifies; Kubescape's current rule leaves out ServiceAccounts that set `automountServiceAccountToken: false` and bindings whose role is missing."
    ) { context in
        let bound = Dictionary(grouping: BoundSubject.all(in: context.snapshot).filter { $0.subject.kind == "ServiceAccount" }, by: \.subject)
        return .evaluated(bound.keys.sorted().map { account in
            ResourceVerdict(
                resource: account.ref,
                failure: bindingFailure(
                    "\(account.ref.displayName) is bound to roles: review what its token can do", bindings: bound[account] ?? []))
        })
    }

    /// The identities the API server gives callers without credentials.
    static func isAnonymous(_ subject: Subject) -> Bool {
        (subject.kind == "User" && subject.name == "system:anonymous")
            || (subject.kind == "Group" && subject.name == "system:unauthenticated")
    }

    /// Endpoints every cluster serves to anonymous callers through the built-in
    /// system:public-info-viewer binding (and OIDC discovery, which some providers open the same way).
    static let publicInfoURLs: Set<String> = [
        "/healthz", "/livez", "/readyz", "/version", "/version/", "/.well-known/openid-configuration", "/openid/v1/jwks",
    ]

    static let anonymousBindings = Control(
        id: "C-0262", name: "Anonymous user has RoleBinding", baseScore: 7,
        frameworks: ["ClusterScan", "security"],
        description: "Fails every RoleBinding and ClusterRoleBinding that names User system:anonymous or Group system:unauthenticated, unless its role grants nothing but the public health and version endpoints.",
        rationale: "With anonymous authentication on (the API server's default), everyone who can reach the API server is system:anonymous in group system:unauthenticated: a binding to them gives its role to the whole network.",
        remediation: "Remove the anonymous subjects from the binding (or delete it) and bind the role to authenticated identities; consider `--anonymous-auth=false` or an anonymous-authentication configuration limited to health endpoints.",
        example: "kubectl get clusterrolebindings,rolebindings -A -o json | jq -r '.items[] | select(.subjects[]?.name | test(\"system:(anonymous|unauthenticated)\")) | .metadata.name'",
        reads: rbacKinds,
        notes: "The resources are the bindings, as in Kubescape. Lookout matches the identities by kind (User system:anonymous, Group system:unauthenticated; a Group named system:anonymous matches nobody), and exempts a binding whose role grants only the non-resource URLs /healthz, /livez, /readyz, /version and OIDC discovery: every cluster has the system:public-info-viewer binding, which Kubescape fails. A binding whose role does not exist still fails: the role can be created later."
    ) { context in
        // Filtered once, not per binding that names an anonymous subject.
        let anonymousGrants = context.grants.filter { isAnonymous($0.subject) }
        return .evaluated(BindingObject.all(in: context.snapshot).map { binding in
            let anonymous = (binding.object.subjects ?? []).enumerated()
                .filter { isAnonymous($0.element.normalized(bindingNamespace: binding.namespace)) }
            guard !anonymous.isEmpty else { return ResourceVerdict(resource: binding.ref, failure: nil) }
            let rules = anonymousGrants.filter { $0.binding == binding.related }.map(\.rule)
            let onlyPublicInfo = context.existingRoles.contains(binding.role)
                && rules.allSatisfy { ($0.resources ?? []).isEmpty && ($0.nonResourceURLs ?? []).allSatisfy(publicInfoURLs.contains) }
            guard !onlyPublicInfo else { return ResourceVerdict(resource: binding.ref, failure: nil) }
            return ResourceVerdict(
                resource: binding.ref,
                failure: Failure(
                    message: "\(binding.ref.displayName) gives \(binding.role.displayName) to unauthenticated callers",
                    evidence: anonymous.map { "subjects[\($0.offset)] \($0.element.kind) \($0.element.name)" },
                    related: [binding.role]))
        })
    }

    static let dashboardName = "kubernetes-dashboard"

    static let dashboardAccess = Control(
        id: "C-0014", name: "Access Kubernetes dashboard", baseScore: 2,
        frameworks: ["MITRE"],
        description: "Fails every subject other than the dashboard's own ServiceAccount that is bound to a Role or ClusterRole named kubernetes-dashboard, and every workload not named kubernetes-dashboard* that runs as the ServiceAccount kubernetes-dashboard.",
        rationale: "The dashboard's role lets it read and change cluster objects on behalf of its users: another identity bound to it, or another pod running with the dashboard's token, gets that access without going through the dashboard's login.",
        remediation: "Bind the kubernetes-dashboard role only to the dashboard's ServiceAccount, and give other workloads their own ServiceAccounts.",
        example: "kubectl get rolebindings,clusterrolebindings -A -o wide | grep kubernetes-dashboard",
        reads: rbacKinds + workloadKinds,
        notes: "The resources are the bound subjects and the workloads together. Only a ServiceAccount named kubernetes-dashboard is the dashboard's identity; Kubescape accepts a User or Group of that name as well."
    ) { context in
        let bound = Dictionary(grouping: BoundSubject.all(in: context.snapshot).filter { $0.role.name == dashboardName }, by: \.subject)
        let subjects = context.evaluateSubjects { subject, _ in
            guard !(subject.kind == "ServiceAccount" && subject.name == dashboardName) else { return nil }
            return bindingFailure(
                "\(subject.ref.displayName) is bound to the dashboard's role", bindings: bound[subject] ?? [])
        }
        let workloads = context.evaluateWorkloads { workload in
            guard workload.podSpec.effectiveServiceAccountName == dashboardName, !workload.name.hasPrefix(dashboardName) else {
                return nil
            }
            let field = workload.podSpec.serviceAccountName == nil ? "serviceAccount" : "serviceAccountName"
            return Failure(
                message: "\(workload.kind) \(workload.name) runs as the dashboard's ServiceAccount",
                evidence: ["\(workload.podSpecPath).\(field)=\(dashboardName)"],
                related: [RelatedObject(kind: "ServiceAccount", namespace: workload.namespace, name: dashboardName)])
        }
        return merged([subjects, workloads])
    }

    static let defaultServiceAccounts = Control(
        id: "C-0189", name: "Default service accounts not actively used", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every namespace's `default` ServiceAccount that does not set `automountServiceAccountToken: false`, or that a RoleBinding or ClusterRoleBinding names (CIS 5.1.5).",
        rationale: "Every pod that names no ServiceAccount runs as `default`: a token mounted by default, and rights granted to `default`, reach every such pod of the namespace, including ones that never needed the API.",
        remediation: "Set `automountServiceAccountToken: false` on each namespace's default ServiceAccount, and bind roles to dedicated ServiceAccounts instead of `default`.",
        example: "kubectl patch serviceaccount default -n shop -p '{\"automountServiceAccountToken\": false}'",
        reads: [.serviceaccounts] + bindingKinds,
        notes: "Adds the bindings half of CIS 5.1.5, which Kubescape's rule leaves out. Only bindings that name the ServiceAccount itself count; bindings to the groups system:serviceaccounts[:ns] reach every ServiceAccount and are left to the other RBAC controls."
    ) { context in
        let bound = Dictionary(grouping: BoundSubject.all(in: context.snapshot).filter { $0.subject.kind == "ServiceAccount" }, by: \.subject)
        return .evaluated(context.snapshot.serviceAccounts.filter { $0.name == "default" }.map { account in
            let subject = Subject(kind: "ServiceAccount", name: account.name, namespace: account.namespace)
            var leading: [String] = []
            switch account.automountServiceAccountToken {
            case false?: break
            case true?: leading.append("automountServiceAccountToken=true")
            case nil: leading.append("automountServiceAccountToken unset (tokens are mounted by default)")
            }
            let bindings = bound[subject] ?? []
            let failure: Failure? = leading.isEmpty && bindings.isEmpty
                ? nil
                : Failure(
                    message: "\(subject.ref.displayName) is usable by pods that name no ServiceAccount",
                    evidence: leading + bindings.map(\.evidence),
                    related: BoundSubject.relatedObjects(of: bindings))
            return ResourceVerdict(resource: subject.ref, failure: failure)
        })
    }

    static let defaultServiceAccountInUse = Control(
        id: "LO-040", name: "Workload uses the namespace's default ServiceAccount while that account has RBAC bindings",
        baseScore: 5,
        frameworks: ["lookout"],
        description: "Fails a workload that runs as its namespace's `default` ServiceAccount (it names none, or names `default`) when a RoleBinding or ClusterRoleBinding names that ServiceAccount.",
        rationale: "Rights granted to `default` go to every pod of the namespace that names no ServiceAccount: a workload that never needed the API gets them, and a compromise of any such pod is a compromise of all of them.",
        remediation: "Create a ServiceAccount for the workload that needs the rights, move the binding to it, and set `serviceAccountName` on that workload only.",
        example: "kubectl create serviceaccount web -n shop\nkubectl set serviceaccount deployment/web web -n shop\nkubectl delete rolebinding default-edit -n shop",
        reads: workloadKinds + [.serviceaccounts] + bindingKinds
    ) { context in
        let bound = Dictionary(grouping: BoundSubject.all(in: context.snapshot).filter { $0.subject.kind == "ServiceAccount" }, by: \.subject)
        return context.evaluateWorkloads { workload in
            guard workload.podSpec.effectiveServiceAccountName == "default" else { return nil }
            let account = Subject(kind: "ServiceAccount", name: "default", namespace: workload.namespace)
            var leading: [String] = []
            if let named = workload.podSpec.serviceAccountName ?? workload.podSpec.serviceAccount {
                let field = workload.podSpec.serviceAccountName == nil ? "serviceAccount" : "serviceAccountName"
                leading.append("\(workload.podSpecPath).\(field)=\(named)")
            } else {
                leading.append("\(workload.podSpecPath).serviceAccountName unset (runs as default)")
            }
            if context.automountsToken(workload) {
                leading.append("the ServiceAccount token is mounted (automountServiceAccountToken is not false on the pod or the ServiceAccount)")
            }
            return bindingFailure(
                "\(workload.kind) \(workload.name) runs as ServiceAccount \(workload.namespace)/default, which has RBAC bindings",
                leading: leading, bindings: bound[account] ?? [])
        }
    }

    static let danglingBindings = Control(
        id: "LO-041", name: "Binding references a missing role or subject", baseScore: 2,
        frameworks: ["lookout"],
        description: "Fails a RoleBinding or ClusterRoleBinding whose Role or ClusterRole does not exist, or that names a ServiceAccount that does not exist.",
        rationale: "A dangling binding is a grant waiting for its object: whoever can create a Role or ServiceAccount of that name in that namespace (a much weaker right than binding roles) inherits the binding's power, often one granted long ago to a component since removed.",
        remediation: "Delete the binding, or the stale subjects in it, when the role or ServiceAccount was removed on purpose; otherwise recreate what it references.",
        example: "kubectl get rolebinding old-ci -n shop -o yaml   # roleRef or subjects name objects that are gone\nkubectl delete rolebinding old-ci -n shop",
        reads: rbacKinds + [.serviceaccounts],
        notes: "A ServiceAccount in a namespace outside the scan (`--include-namespaces`/`--exclude-namespaces`) is not judged: its absence from the snapshot proves nothing."
    ) { context in
        let snapshot = context.snapshot
        struct AccountKey: Hashable { var namespace: String, name: String }
        let accounts = Set(snapshot.serviceAccounts.map { AccountKey(namespace: $0.namespace, name: $0.name) })
        return .evaluated(BindingObject.all(in: snapshot).map { binding in
            var evidence: [String] = []
            var related: [RelatedObject] = []
            if !context.existingRoles.contains(binding.role) {
                evidence.append("roleRef \(binding.role.displayName) does not exist")
                related.append(binding.role)
            }
            for (index, subject) in (binding.object.subjects ?? []).enumerated() where subject.kind == "ServiceAccount" {
                let account = subject.normalized(bindingNamespace: binding.namespace)
                guard let namespace = account.namespace, snapshot.scope.contains(namespace),
                    !accounts.contains(AccountKey(namespace: namespace, name: account.name))
                else { continue }
                evidence.append("subjects[\(index)] ServiceAccount \(namespace)/\(account.name) does not exist")
                related.append(RelatedObject(kind: "ServiceAccount", namespace: namespace, name: account.name))
            }
            let failure = evidence.isEmpty
                ? nil
                : Failure(message: "\(binding.ref.displayName) references objects that do not exist", evidence: evidence, related: related)
            return ResourceVerdict(resource: binding.ref, failure: failure)
        })
    }
}
