import Inventory

/// Controls over the Kubernetes API token a workload's pods receive, and what that token may do.
extension WorkloadPrivilegeControls {
    static let identityKinds: [ResourceKind] = workloadKinds + [.serviceaccounts]
    static let tokenPowerKinds: [ResourceKind] = identityKinds + rbacKinds

    /// Why the workload's pods get an API token, as an evidence line, with the ServiceAccount it
    /// belongs to; nil when no token is mounted.
    static func automountEvidence(_ context: AuditContext, _ workload: Workload) -> (line: String, serviceAccount: RelatedObject)? {
        guard context.automountsToken(workload) else { return nil }
        let name = workload.podSpec.effectiveServiceAccountName
        let account = RelatedObject(kind: "ServiceAccount", namespace: workload.namespace, name: name)
        let field = workload.podPath("automountServiceAccountToken")
        if workload.podSpec.automountServiceAccountToken == true { return ("\(field)=true", account) }
        let reason: String
        if let serviceAccount = context.serviceAccount(of: workload) {
            reason = serviceAccount.automountServiceAccountToken == true
                ? "ServiceAccount \(name) sets automountServiceAccountToken=true"
                : "ServiceAccount \(name) does not set automountServiceAccountToken"
        } else {
            reason = "ServiceAccount \(name) was not found"
        }
        return ("\(field) is unset and \(reason)", account)
    }

    /// The check of C-0034 and C-0190.
    @Sendable static func automountOutcome(_ context: AuditContext) -> ControlOutcome {
        context.evaluateWorkloads { workload in
            automountEvidence(context, workload).map {
                Failure(
                    message: "\(workload.kind) \(workload.name) gets a ServiceAccount token mounted automatically",
                    evidence: [$0.line], related: [$0.serviceAccount])
            }
        }
    }

    static let automountNotes = "A ServiceAccount that does not exist counts as mounting the token, as the API server would mount one if it were created. Tokens mounted through an explicit projected volume are not counted."

    static let automountServiceAccount = Control(
        id: "C-0034", name: "Automatic mapping of service account", baseScore: 6,
        frameworks: ["NSA", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload whose pods get a ServiceAccount token mounted automatically: the pod spec sets `automountServiceAccountToken: true`, or leaves it unset while its ServiceAccount does not set it to false.",
        rationale: "A mounted token is a credential for the Kubernetes API in every container's file system: whoever gets code execution in the pod can call the API as the ServiceAccount, and tokens of highly privileged accounts turn an application bug into a cluster compromise.",
        remediation: "Set `automountServiceAccountToken: false` on the ServiceAccount (or the pod spec) of workloads that do not call the Kubernetes API; mount a token explicitly, with a short expiry, where one is needed.",
        example: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\nautomountServiceAccountToken: false",
        reads: identityKinds,
        notes: automountNotes,
        evaluate: automountOutcome
    )

    static let serviceAccountTokensMountedWhereNecessary = Control(
        id: "C-0190", name: "Ensure that Service Account Tokens are only mounted where necessary", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "CIS 5.1.6. Fails a workload whose pods get a ServiceAccount token mounted automatically: the pod spec sets `automountServiceAccountToken: true`, or leaves it unset while its ServiceAccount does not set it to false.",
        rationale: "A mounted token lets anyone with code execution in the pod call the Kubernetes API as its ServiceAccount; pods that never talk to the API should not carry one.",
        remediation: "Set `automountServiceAccountToken: false` on ServiceAccounts and pod specs that do not need API access.",
        example: "spec:\n  automountServiceAccountToken: false",
        reads: identityKinds,
        notes: "Same check as C-0034. " + automountNotes,
        evaluate: automountOutcome
    )

    /// What the workload's token may do: its ServiceAccount's own grants, plus those given to the
    /// groups every ServiceAccount token carries (`system:serviceaccounts`,
    /// `system:serviceaccounts:<namespace>`).
    static func tokenGrants(_ context: AuditContext, _ workload: Workload) -> [Grant] {
        let groups = ["system:serviceaccounts", "system:serviceaccounts:\(workload.namespace)"]
        return context.grants(of: workload) + groups.flatMap { context.grantsBySubject[Subject(kind: "Group", name: $0)] ?? [] }
    }

    /// A failure for a workload whose mounted token holds `grants`: the automount line first, then one
    /// line per granting rule; the ServiceAccount, roles and bindings in `related`. Nil when no token
    /// is mounted or no grant matches.
    static func tokenPowerFailure(_ context: AuditContext, _ workload: Workload, _ message: String, grants: [Grant]) -> Failure? {
        guard !grants.isEmpty, let automount = automountEvidence(context, workload),
            var failure = context.subjectFailure(message, grants: grants)
        else { return nil }
        failure.evidence = zip(grants, failure.evidence).map { grant, line in
            grant.subject.kind == "Group" ? "\(line) to Group \(grant.subject.name)" : line
        }
        failure.evidence.insert(automount.line, at: 0)
        failure.related.insert(automount.serviceAccount, at: 0)
        return failure
    }

    static let tokenPowerNotes = "Counts the grants of the ServiceAccount and of the groups every ServiceAccount token belongs to (`system:serviceaccounts`, `system:serviceaccounts:<namespace>`); Kubescape reads direct ServiceAccount bindings only."

    /// Groups every ServiceAccount of every namespace belongs to.
    static let everyAccountGroups = ["system:authenticated", "system:serviceaccounts"]

    /// One subject of one binding with the rules it grants (none when the role does not exist).
    struct BindingGrants {
        var binding: BoundSubject
        var grants: [Grant]
    }

    /// Every subject of every binding with its grants, by subject.
    static func bindingGrants(_ context: AuditContext) -> [Subject: [BindingGrants]] {
        struct Key: Hashable {
            var binding: RelatedObject
            var subject: Subject
        }
        let grants = Dictionary(grouping: context.grants) { Key(binding: $0.binding, subject: $0.subject) }
        return Dictionary(grouping: BoundSubject.all(in: context.snapshot).map {
            BindingGrants(binding: $0, grants: grants[Key(binding: $0.binding, subject: $0.subject)] ?? [])
        }, by: \.binding.subject)
    }

    /// The bindings that give the workload's ServiceAccount RBAC permissions: those naming it or its
    /// namespace's `system:serviceaccounts:<namespace>` group (whether or not their role exists yet: it can
    /// be created later), and those naming a group of every ServiceAccount unless their role is known to
    /// grant only discovery and self-reviews, as the bootstrap bindings every cluster has do.
    static func permissionBindings(_ context: AuditContext, _ workload: Workload, all: [Subject: [BindingGrants]]) -> [BindingGrants] {
        let own = Subject(kind: "ServiceAccount", name: workload.podSpec.effectiveServiceAccountName, namespace: workload.namespace)
        let namespaceGroup = Subject(kind: "Group", name: "system:serviceaccounts:\(workload.namespace)")
        let universal = everyAccountGroups.flatMap { all[Subject(kind: "Group", name: $0)] ?? [] }.filter { entry in
            !(context.existingRoles.contains(entry.binding.role) && entry.grants.allSatisfy(\.rule.isSelfDiscovery))
        }
        return (all[own] ?? []) + (all[namespaceGroup] ?? []) + universal
    }

    static let serviceAccountTokenMounted = Control(
        id: "C-0261", name: "ServiceAccount token mounted", baseScore: 7,
        frameworks: ["security"],
        description: "Fails a workload whose pods get a ServiceAccount token mounted automatically (as C-0034) while that ServiceAccount has RBAC permissions: a RoleBinding or ClusterRoleBinding names it, its namespace's `system:serviceaccounts:<namespace>` group, or `system:serviceaccounts`/`system:authenticated` with a role that grants more than discovery and self-reviews.",
        rationale: "A token with RBAC permissions in a pod's file system is a ready-made API credential for anyone who breaks into the pod: what the ServiceAccount may do, the attacker may do.",
        remediation: "Set `automountServiceAccountToken: false` where the pod does not call the API; otherwise keep the ServiceAccount's role to the verbs and resources it uses.",
        example: "spec:\n  serviceAccountName: web\n  automountServiceAccountToken: false",
        reads: tokenPowerKinds,
        notes: "As in Kubescape, a binding naming the ServiceAccount counts whether or not its role exists (the role can be created later). Its namespace's `system:serviceaccounts:<namespace>` group counts too. Bindings to `system:serviceaccounts` or `system:authenticated` count unless their role is known to grant only non-resource URLs and self-reviews: every cluster binds those groups to system:service-account-issuer-discovery, system:discovery, system:basic-user and system:public-info-viewer, and Kubescape's rule, which counts any such binding, fails every automounting workload of every cluster. A ServiceAccount missing from the input counts as automounting (Kubescape needs the ServiceAccount object)."
    ) { context in
        let all = bindingGrants(context)
        return context.evaluateWorkloads { workload in
            let bindings = permissionBindings(context, workload, all: all)
            guard !bindings.isEmpty, let automount = automountEvidence(context, workload) else { return nil }
            let lines = bindings.flatMap { entry -> [String] in
                let group = entry.binding.subject.kind == "Group" ? " to Group \(entry.binding.subject.name)" : ""
                guard let granted = context.subjectFailure("", grants: entry.grants) else {
                    return ["\(entry.binding.evidence)\(group): the role does not exist (yet)"]
                }
                return granted.evidence.map { $0 + group }
            }
            return Failure(
                message: "\(workload.kind) \(workload.name) mounts a token of a ServiceAccount with RBAC permissions",
                evidence: [automount.line] + lines,
                related: [automount.serviceAccount] + BoundSubject.relatedObjects(of: bindings.map(\.binding)))
        }
    }

    static let workloadResources = [
        "pods", "deployments", "replicasets", "daemonsets", "statefulsets", "jobs", "cronjobs", "replicationcontrollers",
    ]

    /// A rule that hands over other identities of its scope: it creates or changes workloads (which can
    /// run as any ServiceAccount there) or reads Secrets (which hold tokens and keys). Rules limited to
    /// named objects do not.
    static func allowsClusterTakeover(_ rule: PolicyRule) -> Bool {
        rule.permits(writeAnyWorkloadPermission) || rule.permits(readAnySecretPermission)
    }

    static let writeAnyWorkloadPermission = Permission(
        verbs: ["create", "update", "patch"], resources: workloadResources, apiGroups: ["", "apps", "batch"], objects: .unnamed)
    static let readAnySecretPermission = Permission(verbs: ["get", "list", "watch"], resources: ["secrets"], apiGroups: [""], objects: .unnamed)

    static let clusterTakeoverRoles = Control(
        id: "C-0267", name: "Workload with cluster takeover roles", baseScore: 6,
        frameworks: ["security"],
        description: "Fails a workload whose pods get a ServiceAccount token mounted automatically while that ServiceAccount may create, update or patch workloads (pods, Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs) or get, list or watch Secrets.",
        rationale: "Creating a workload lets the token run a pod as any ServiceAccount of the namespace, with any host mount admission allows; reading Secrets hands over every token and key stored there. Either turns one compromised pod into control of the namespace or, cluster-wide, of the cluster.",
        remediation: "Move controllers that need these powers to dedicated, isolated namespaces; scope their roles to named resources where possible; disable token automount for everything else.",
        example: "rules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [app-config]\n  verbs: [get]",
        reads: tokenPowerKinds,
        notes: "As in Kubescape, either power fails the workload (workload creation or Secret reading), and only when the token is mounted. Lookout counts workload controllers as well as pods (Kubescape: pods only) and ignores rules limited by `resourceNames`. " + tokenPowerNotes
    ) { context in
        context.evaluateWorkloads { workload in
            tokenPowerFailure(
                context, workload, "\(workload.kind) \(workload.name) mounts a token that can take over workloads or Secrets",
                grants: tokenGrants(context, workload).filter { allowsClusterTakeover($0.rule) })
        }
    }

    static let workloadAdministrativeRoles = Control(
        id: "C-0272", name: "Workload with administrative roles", baseScore: 6,
        frameworks: ["security"],
        description: "Fails a workload whose pods get a ServiceAccount token mounted automatically while that ServiceAccount is bound to an administrative role: every verb on every resource (cluster-admin or an equivalent, as C-0035).",
        rationale: "An administrative token in a pod means that any code execution in that pod is administrative access to the cluster, or to the namespace for a RoleBinding.",
        remediation: "Bind the ServiceAccount to a role with the verbs and resources it uses, or disable token automount if it does not call the API.",
        example: "kubectl get clusterrolebindings -o wide | grep serviceaccount",
        reads: tokenPowerKinds,
        notes: "Only when the token is mounted, as in Kubescape. " + tokenPowerNotes
    ) { context in
        context.evaluateWorkloads { workload in
            tokenPowerFailure(
                context, workload, "\(workload.kind) \(workload.name) mounts a token with administrative permissions",
                grants: tokenGrants(context, workload).filter { $0.rule.isAdministrative })
        }
    }
}
