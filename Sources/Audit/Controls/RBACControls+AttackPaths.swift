import Inventory

/// Lookout's own RBAC controls: powers that lead from one credential to the whole cluster. Each
/// finding names the subject, the rules that give it the power (evidence) and the roles and bindings
/// behind them (related).
extension RBACControls {
    static let writeBindingsPermission = Permission(
        verbs: ["create", "update", "patch"], resources: ["rolebindings", "clusterrolebindings"],
        apiGroups: ["rbac.authorization.k8s.io"])
    /// RBAC cannot constrain the type of a Secret, so creating any Secret counts.
    static let mintTokensPermission = createTokensPermission.adding(resources: ["secrets"])
    static let approveSignersPermission = Permission(
        verbs: ["approve"], resources: ["signers"], apiGroups: ["certificates.k8s.io"], clusterScoped: true)
    static let changeAdmissionPermission = changeWebhooksPermission.adding(resources: [
        "validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies",
        "mutatingadmissionpolicybindings",
    ])
    static let kubeSystemWorkloadsPermission = Permission(
        verbs: ["create", "update", "patch"],
        resources: ["pods", "deployments", "replicasets", "daemonsets", "statefulsets", "jobs", "cronjobs", "replicationcontrollers"],
        apiGroups: ["", "apps", "batch"], namespace: "kube-system")

    /// Powers worth handing on to another identity: the ones that reach Secrets, run code, act as
    /// someone else or reach nodes.
    static func isPowerful(_ grant: Grant) -> Bool {
        grant.rule.isAdministrative
            || [
                readSecretsPermission, createPodsPermission, execPermission, impersonatePermission, nodesProxyPermission,
                createTokensPermission,
            ].contains { $0.isGranted(by: grant) }
    }

    static let escalationThroughRBAC = Control(
        id: "LO-020", name: "Subject can escalate through RBAC", baseScore: 9,
        frameworks: ["lookout"],
        description: "Fails a subject that holds `bind` or `escalate` on roles or clusterroles, or that can create, update or patch RoleBindings or ClusterRoleBindings while it holds a powerful permission (cluster-admin-like wildcards, reading Secrets, creating pods, exec, impersonation, nodes/proxy or creating tokens) in a scope those bindings reach.",
        rationale: "`escalate` lets a subject write a role with permissions it does not have and `bind` lets it bind any role, so either one is a path to cluster-admin. Writing bindings is limited by Kubernetes to roles whose permissions the subject already holds, but it lets the subject give those powers to identities it controls — another ServiceAccount, system:anonymous — which survives the revocation of its own credential.",
        remediation: "Remove bind and escalate from roles (or restrict them with resourceNames); give binding-management rights only to administrators and to controllers that need them, and separate them from workload and Secret access.",
        example: "kubectl auth can-i escalate clusterroles --as=system:serviceaccount:ci:deployer\nkubectl auth can-i create rolebindings --as=system:serviceaccount:ci:deployer -n shop",
        reads: rbacKinds,
        notes: "Exact rule: (1) bind or escalate (or `*`) on roles or clusterroles in rbac.authorization.k8s.io, any scope; or (2) create, update or patch on rolebindings or clusterrolebindings together with a powerful grant where a cluster-wide grant pairs with any other, and two namespaced grants pair only in the same namespace. Evidence lists the bind/escalate rules, then each binding-write rule and the powers it can hand on."
    ) { context in
        context.evaluateSubjects { subject, grants in
            var granting = grants.filter(bindEscalatePermission.isGranted)
            let powers = grants.filter(isPowerful)
            for writer in grants.filter(writeBindingsPermission.isGranted) {
                let handedOn = powers.filter { writer.namespace == nil || $0.namespace == nil || $0.namespace == writer.namespace }
                guard !handedOn.isEmpty else { continue }
                for grant in [writer] + handedOn where !granting.contains(grant) { granting.append(grant) }
            }
            return context.subjectFailure("\(subject.ref.displayName) can escalate privileges through RBAC", grants: granting)
        }
    }

    static let mintTokens = Control(
        id: "LO-021", name: "Subject can mint ServiceAccount tokens", baseScore: 8,
        frameworks: ["lookout"],
        description: "Fails a subject that can create serviceaccounts/token, or create Secrets (a Secret of type kubernetes.io/service-account-token is filled with a token of the ServiceAccount it names).",
        rationale: "A minted token carries every permission of its ServiceAccount, and ServiceAccounts of system components are often cluster-admin-like: minting their tokens is taking their identity, with no pod and no exec involved.",
        remediation: "Remove create on serviceaccounts/token; grant create on secrets only to the controllers that manage Secrets, in their own namespaces.",
        example: "kubectl auth can-i create serviceaccounts/token --as=alice -n kube-system\nkubectl auth can-i create secrets --as=alice -n kube-system",
        reads: rbacKinds,
        notes: "RBAC cannot restrict a Secret's type, so every grant of create on secrets counts: with it a subject can create a service-account-token Secret for any ServiceAccount of the namespace (on clusters where the token controller still fills them).",
        evaluate: subjectsHolding(mintTokensPermission, "can mint ServiceAccount tokens")
    )

    static let kubeletAccess = Control(
        id: "LO-022", name: "Subject can reach kubelets through nodes/proxy", baseScore: 9,
        frameworks: ["lookout"],
        description: "Fails a subject with any verb on nodes/proxy, granted cluster-wide; the same rule as C-0279.",
        rationale: "nodes/proxy forwards to the kubelet API. GET alone is enough: the kubelet's exec and run endpoints accept the WebSocket upgrade of a GET, so a read-only-looking monitoring role runs commands in every container of every node, outside the API server's audit log.",
        remediation: "Give monitoring agents nodes/metrics and nodes/stats instead of nodes/proxy; remove nodes/proxy from every other role.",
        example: "kubectl auth can-i get nodes/proxy --as=system:serviceaccount:monitoring:agent",
        reads: rbacKinds,
        notes: "Nodes are cluster-scoped: only ClusterRoleBindings count.",
        evaluate: subjectsHolding(nodesProxyPermission, "can reach kubelets through nodes/proxy")
    )

    static let approveCertificates = Control(
        id: "LO-023", name: "Subject can approve certificate signing requests", baseScore: 8,
        frameworks: ["lookout"],
        description: "Fails a subject that can both update (or patch) certificatesigningrequests/approval and approve on signers in certificates.k8s.io, cluster-wide.",
        rationale: "With both rights a subject approves its own CSR for any name and group the signer accepts, such as a client certificate for system:masters from kubernetes.io/kube-apiserver-client: a credential RBAC cannot revoke.",
        remediation: "Leave CSR approval to the controller manager and a few administrators; if an approver is needed, restrict `approve` on signers with resourceNames to the one signer it serves.",
        example: "kubectl auth can-i update certificatesigningrequests/approval --as=alice\nkubectl auth can-i approve signers --as=alice",
        reads: rbacKinds,
        notes: "resourceNames on signers are not evaluated: a subject allowed to approve for any one signer is reported, with the rule in the evidence."
    ) { context in
        context.evaluateSubjects { subject, grants in
            let approval = grants.filter(approveCSRPermission.isGranted)
            let signers = grants.filter(approveSignersPermission.isGranted)
            guard !approval.isEmpty, !signers.isEmpty else { return nil }
            var granting = approval
            for grant in signers where !granting.contains(grant) { granting.append(grant) }
            return context.subjectFailure("\(subject.ref.displayName) can approve certificate signing requests", grants: granting)
        }
    }

    static let changeAdmission = Control(
        id: "LO-024", name: "Subject can change admission webhooks", baseScore: 8,
        frameworks: ["lookout"],
        description: "Fails a subject that can create, update, patch or delete validating or mutating webhook configurations, or validating or mutating admission policies and their bindings, cluster-wide.",
        rationale: "Admission is where the cluster enforces its policy: whoever changes it can switch off the checks (Pod Security, image policy) or add a mutating webhook that receives every Secret and rewrites every pod.",
        remediation: "Grant write access to admission configuration only to administrators and to the operators that install their own webhooks, restricted with resourceNames where possible.",
        example: "kubectl auth can-i delete validatingwebhookconfigurations --as=alice",
        reads: rbacKinds,
        notes: "deletecollection counts as delete; the admission objects are cluster-scoped, so only ClusterRoleBindings count.",
        evaluate: subjectsHolding(changeAdmissionPermission, "can change admission webhooks or policies")
    )

    static let workloadsInKubeSystem = Control(
        id: "LO-025", name: "Subject can create workloads in kube-system", baseScore: 9,
        frameworks: ["lookout"],
        description: "Fails a subject that can create, update or patch pods or workload controllers (Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, CronJobs, ReplicationControllers) in kube-system: through a ClusterRoleBinding or a RoleBinding in kube-system.",
        rationale: "kube-system holds the most privileged ServiceAccounts of the cluster. A pod created there may run as any of them and mount their tokens; updating an existing pod's image or a controller's template does the same under the identity it already has.",
        remediation: "Deploy add-ons with a pipeline identity confined to its own namespace; remove cluster-wide create on pods and controllers from people and CI.",
        example: "kubectl auth can-i create pods --as=system:serviceaccount:ci:deployer -n kube-system",
        reads: rbacKinds,
        notes: "Counts update and patch as well as create: a pod's image and a controller's pod template are writable, and rewriting them runs attacker code as their kube-system ServiceAccount.",
        evaluate: subjectsHolding(kubeSystemWorkloadsPermission, "can run workloads in kube-system")
    )
}
