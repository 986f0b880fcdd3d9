import Inventory

/// Tier 1 controls that fail a subject for one power its roles grant.
extension RBACControls {
    static let createPodsPermission = Permission(verbs: ["create"], resources: ["pods"], apiGroups: [""])
    /// `get` counts too: exec, attach and port-forward over WebSocket are GET requests, authorized with
    /// `get` until Kubernetes 1.35 made `create` a requirement for them as well.
    static let execPermission = Permission(verbs: ["create", "get"], resources: ["pods/exec"], apiGroups: [""])
    static let readSecretsPermission = Permission(verbs: ["get", "list", "watch"], resources: ["secrets"], apiGroups: [""])
    static let portForwardPermission = Permission(verbs: ["create", "get"], resources: ["pods/portforward"], apiGroups: [""])
    /// Users and groups live in the core group; uids and userextras in authentication.k8s.io.
    static let impersonatePermission = Permission(
        verbs: ["impersonate"], resources: ["users", "serviceaccounts", "groups", "uids", "userextras"],
        apiGroups: ["", "authentication.k8s.io"])
    static let deleteEventsPermission = Permission(
        verbs: ["delete", "deletecollection"], resources: ["events"], apiGroups: ["", "events.k8s.io"])
    static let deleteWorkloadsPermission = Permission(
        verbs: ["delete", "deletecollection"],
        resources: ["secrets", "pods", "services", "deployments", "replicasets", "daemonsets", "statefulsets", "jobs", "cronjobs"],
        apiGroups: ["", "apps", "batch"])
    static let bindEscalatePermission = Permission(
        verbs: ["bind", "escalate"], resources: ["roles", "clusterroles"], apiGroups: ["rbac.authorization.k8s.io"])
    static let createPersistentVolumesPermission = Permission(
        verbs: ["create"], resources: ["persistentvolumes"], apiGroups: [""], clusterScoped: true)
    static let nodesProxyPermission = Permission(verbs: nil, resources: ["nodes/proxy"], apiGroups: [""], clusterScoped: true)
    static let approveCSRPermission = Permission(
        verbs: ["update", "patch"], resources: ["certificatesigningrequests/approval"],
        apiGroups: ["certificates.k8s.io"], clusterScoped: true)
    static let changeWebhooksPermission = Permission(
        verbs: ["create", "update", "patch", "delete", "deletecollection"],
        resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"],
        apiGroups: ["admissionregistration.k8s.io"], clusterScoped: true)
    static let createTokensPermission = Permission(verbs: ["create"], resources: ["serviceaccounts/token"], apiGroups: [""])
    /// Kubescape's list, with the plural resource names Kubernetes uses.
    static let workloadAccessPermission = Permission(
        verbs: nil,
        resources: [
            "pods", "pods/exec", "pods/attach", "pods/portforward", "deployments", "statefulsets", "daemonsets", "jobs",
            "cronjobs", "nodes", "secrets",
        ],
        apiGroups: nil)
    /// CoreDNS reads its Corefile from ConfigMap kube-system/coredns.
    static let corednsConfigPermission = Permission(
        verbs: ["update", "patch"], resources: ["configmaps"], apiGroups: [""], objects: .named("coredns"),
        namespace: "kube-system")

    static let createPods = Control(
        id: "C-0188", name: "Minimize access to create pods", baseScore: 5,
        frameworks: ["ClusterScan", "cis-v1.12.0"],
        description: "Fails every subject that can create pods (CIS 5.1.4).",
        rationale: "Whoever creates a pod chooses its ServiceAccount, volumes and security context: it can mount any Secret of the namespace, run as any ServiceAccount there and, without admission policy, start a privileged pod on a node.",
        remediation: "Let controllers (Deployments, Jobs) create pods and give people and CI rights on the controllers instead; remove `create` on `pods` from roles that do not need it.",
        example: "kubectl auth can-i create pods --as=system:serviceaccount:ci:deployer -n shop",
        reads: rbacKinds,
        evaluate: subjectsHolding(createPodsPermission, "can create pods")
    )

    static let execIntoContainer = Control(
        id: "C-0002", name: "Prevent containers from allowing command execution", baseScore: 5,
        frameworks: ["NSA", "MITRE", "ClusterScan", "ArmoBest"],
        description: "Fails every subject that can create (or get) pods/exec, i.e. run commands in running containers (`kubectl exec`).",
        rationale: "exec runs a shell inside a live container with its ServiceAccount token, its Secrets and its network position, and leaves no trace in the workload's manifest.",
        remediation: "Remove `create` and `get` on `pods/exec` (and wildcards covering it) from roles that do not need interactive access; grant it temporarily for debugging.",
        example: "rules:\n- apiGroups: [\"\"]\n  resources: [pods, pods/log]\n  verbs: [get, list]",
        reads: rbacKinds,
        notes: "Also counts `get` on pods/exec: `kubectl exec` over WebSocket is a GET request, which API servers before 1.35 authorize with `get` alone. Also counts `*/exec`, which the RBAC authorizer honours and Kubescape does not list.",
        evaluate: subjectsHolding(execPermission, "can exec into containers")
    )

    static let listSecrets = Control(
        id: "C-0015", name: "List Kubernetes secrets", baseScore: 7,
        frameworks: ["MITRE", "ClusterScan"],
        description: "Fails every subject that can get, list or watch Secrets.",
        rationale: "Secrets hold ServiceAccount tokens, registry credentials, TLS keys and application passwords: reading them is the shortest way from one credential to many.",
        remediation: "Grant Secret access only to the workloads that need it, by name (`resourceNames`) where possible; remove `list` and `watch`, which return every Secret's value.",
        example: "rules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [shop-db]\n  verbs: [get]",
        reads: rbacKinds,
        evaluate: subjectsHolding(readSecretsPermission, "can read Secrets")
    )

    static let secretAccess = Control(
        id: "C-0186", name: "Minimize access to secrets", baseScore: 6,
        frameworks: ["SOC2", "cis-v1.12.0"],
        description: "Fails every subject that can get, list or watch Secrets (CIS 5.1.2); the same rule as C-0015.",
        rationale: "Secrets hold ServiceAccount tokens, registry credentials, TLS keys and application passwords: reading them is the shortest way from one credential to many.",
        remediation: "Grant Secret access only to the workloads that need it, by name (`resourceNames`) where possible; remove `list` and `watch`, which return every Secret's value.",
        example: "kubectl auth can-i list secrets --as=system:serviceaccount:shop:web -n shop",
        reads: rbacKinds,
        evaluate: subjectsHolding(readSecretsPermission, "can read Secrets")
    )

    static let portForwarding = Control(
        id: "C-0063", name: "Portforwarding privileges", baseScore: 5,
        frameworks: ["ClusterScan", "ArmoBest"],
        description: "Fails every subject that can create (or get) pods/portforward (`kubectl port-forward`).",
        rationale: "Port forwarding opens a tunnel from the caller's machine to any port of a pod, bypassing Services, Ingresses and network policies.",
        remediation: "Remove `create` and `get` on `pods/portforward` (and wildcards covering it) from roles that do not need it.",
        example: "kubectl auth can-i create pods/portforward --as=alice -n shop",
        reads: rbacKinds,
        notes: "Also counts `get` on pods/portforward (port-forward over WebSocket is a GET request, authorized with `get` alone before Kubernetes 1.35) and `*/portforward`, which the RBAC authorizer honours.",
        evaluate: subjectsHolding(portForwardPermission, "can port-forward to pods")
    )

    static let impersonation = Control(
        id: "C-0065", name: "No impersonation", baseScore: 6,
        frameworks: ["ArmoBest"],
        description: "Fails every subject that can impersonate users, groups, ServiceAccounts, uids or user extras.",
        rationale: "Impersonation lets a caller act as any identity it may name, including system:masters members and cluster-admin ServiceAccounts: it is every permission of those identities.",
        remediation: "Remove the `impersonate` verb from roles; if a proxy needs it, restrict it with resourceNames to the identities it serves.",
        example: "kubectl auth can-i impersonate users --as=alice",
        reads: rbacKinds,
        evaluate: subjectsHolding(impersonatePermission, "can impersonate other identities")
    )

    static let deleteEvents = Control(
        id: "C-0031", name: "Delete Kubernetes events", baseScore: 4,
        frameworks: ["MITRE"],
        description: "Fails every subject that can delete Events (core or events.k8s.io).",
        rationale: "Events record scheduling, image pulls, exec and failures: deleting them hides an attacker's activity from operators and tools that read them.",
        remediation: "Remove `delete` and `deletecollection` on `events` from roles; Events expire on their own.",
        example: "kubectl auth can-i delete events --as=alice -n shop",
        reads: rbacKinds,
        evaluate: subjectsHolding(deleteEventsPermission, "can delete Events")
    )

    static let deleteCapabilities = Control(
        id: "C-0007", name: "Roles with delete capabilities", baseScore: 5,
        frameworks: ["MITRE", "ClusterScan"],
        description: "Fails every subject that can delete Secrets, Pods, Services or workload controllers (Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs, CronJobs).",
        rationale: "Delete rights are data destruction and denial of service: an attacker with them can take an application down or remove the evidence of a compromise.",
        remediation: "Keep `delete` and `deletecollection` for deployment pipelines and operators; give people read and update rights only.",
        example: "kubectl auth can-i delete deployments --as=alice -n shop",
        reads: rbacKinds,
        evaluate: subjectsHolding(deleteWorkloadsPermission, "can delete workloads, Services or Secrets")
    )

    static let coreDNSPoisoning = Control(
        id: "C-0037", name: "CoreDNS poisoning", baseScore: 4,
        frameworks: ["MITRE"],
        description: "Fails every subject that can update or patch the ConfigMap kube-system/coredns: a rule on configmaps without resourceNames, or with resourceNames containing coredns, granted cluster-wide or in kube-system.",
        rationale: "The coredns ConfigMap is the cluster's DNS configuration: rewriting it sends service names to an attacker's address and intercepts traffic between workloads.",
        remediation: "Remove update and patch on configmaps in kube-system from roles that do not manage CoreDNS; scope ConfigMap rights with resourceNames.",
        example: "kubectl auth can-i patch configmaps/coredns --as=alice -n kube-system",
        reads: rbacKinds,
        notes: "Only grants that reach kube-system count: Kubescape also fails a RoleBinding that lets a subject update ConfigMaps in its own namespace, which cannot touch CoreDNS."
    ) { context in
        context.evaluateSubjects { subject, grants in
            context.subjectFailure(
                "\(subject.ref.displayName) can modify the coredns ConfigMap",
                grants: grants.filter(corednsConfigPermission.isGranted))
        }
    }

    static let bindEscalateImpersonate = Control(
        id: "C-0191", name: "Limit bind, impersonate and escalate", baseScore: 6,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject that holds `bind` or `escalate` on roles or clusterroles, or `impersonate` on users, groups, ServiceAccounts or uids (CIS 5.1.8).",
        rationale: "These verbs switch off RBAC's own protection: `escalate` lets a subject write roles with permissions it lacks, `bind` lets it bind roles it does not hold, and `impersonate` lets it act as another identity.",
        remediation: "Remove bind, escalate and impersonate from roles; controllers that manage RBAC should have them restricted with resourceNames to the roles they manage.",
        example: "kubectl auth can-i escalate clusterroles --as=alice\nkubectl auth can-i bind clusterroles --as=alice",
        reads: rbacKinds
    ) { context in
        context.evaluateSubjects { subject, grants in
            context.subjectFailure(
                "\(subject.ref.displayName) can bind, escalate or impersonate",
                grants: grants.filter { bindEscalatePermission.isGranted(by: $0) || impersonatePermission.isGranted(by: $0) })
        }
    }

    static let createPersistentVolumes = Control(
        id: "C-0278", name: "Minimize access to create persistent volumes", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject that can create PersistentVolumes (CIS 5.1.9).",
        rationale: "A PersistentVolume can be a hostPath volume: whoever creates one and claims it mounts any directory of a node, which is root on that node.",
        remediation: "Let storage classes provision volumes; remove `create` on `persistentvolumes` from everyone but storage administrators.",
        example: "kubectl auth can-i create persistentvolumes --as=alice",
        reads: rbacKinds,
        notes: "PersistentVolumes are cluster-scoped: only ClusterRoleBindings count (Kubescape also fails RoleBindings, which cannot grant them).",
        evaluate: subjectsHolding(createPersistentVolumesPermission, "can create PersistentVolumes")
    )

    static let nodesProxy = Control(
        id: "C-0279", name: "Minimize access to nodes/proxy", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject with any verb on nodes/proxy (CIS 5.1.10).",
        rationale: "nodes/proxy reaches the kubelet API through the API server: with it a caller can list pods and run commands in any container on the node, and kubelet requests are not in the API server's audit log.",
        remediation: "Remove nodes/proxy from roles; monitoring agents need nodes/metrics and nodes/stats, not nodes/proxy.",
        example: "rules:\n- apiGroups: [\"\"]\n  resources: [nodes/metrics, nodes/stats]\n  verbs: [get]",
        reads: rbacKinds,
        notes: "Nodes are cluster-scoped: only ClusterRoleBindings count.",
        evaluate: subjectsHolding(nodesProxyPermission, "can use nodes/proxy")
    )

    static let csrApproval = Control(
        id: "C-0280", name: "Minimize access to CSR approval", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject that can update or patch certificatesigningrequests/approval (CIS 5.1.11).",
        rationale: "Approving a certificate signing request lets a subject turn its own request into a client certificate, possibly for a privileged user or group.",
        remediation: "Leave CSR approval to the controller manager and a few administrators; remove update on certificatesigningrequests/approval from other roles.",
        example: "kubectl auth can-i update certificatesigningrequests/approval --as=alice",
        reads: rbacKinds,
        notes: "CSRs are cluster-scoped: only ClusterRoleBindings count.",
        evaluate: subjectsHolding(approveCSRPermission, "can approve certificate signing requests")
    )

    static let webhookConfigurationAccess = Control(
        id: "C-0281", name: "Minimize access to webhook configurations", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject that can create, update, patch or delete validating or mutating webhook configurations (CIS 5.1.12).",
        rationale: "A mutating webhook sees and may rewrite every object sent to the API server, Secrets included; deleting a validating webhook switches off the policy it enforces.",
        remediation: "Keep write access to webhook configurations for the operators that install their own webhooks and for administrators.",
        example: "kubectl auth can-i create mutatingwebhookconfigurations --as=alice",
        reads: rbacKinds,
        notes: "Webhook configurations are cluster-scoped: only ClusterRoleBindings count. deletecollection counts as delete.",
        evaluate: subjectsHolding(changeWebhooksPermission, "can change admission webhook configurations")
    )

    static let tokenCreation = Control(
        id: "C-0282", name: "Minimize access to token creation", baseScore: 5,
        frameworks: ["cis-v1.12.0"],
        description: "Fails every subject that can create serviceaccounts/token (CIS 5.1.13).",
        rationale: "The TokenRequest API mints a token for any ServiceAccount the caller may name: it takes on that ServiceAccount's permissions without touching any pod.",
        remediation: "Remove `create` on `serviceaccounts/token` from roles; the kubelet requests pod tokens by itself.",
        example: "kubectl auth can-i create serviceaccounts/token --as=alice -n kube-system",
        reads: rbacKinds,
        evaluate: subjectsHolding(createTokensPermission, "can create ServiceAccount tokens")
    )

    static let authenticatedElevatedRoles = Control(
        id: "C-0265", name: "system:authenticated user has elevated roles", baseScore: 7,
        frameworks: ["ClusterScan", "security"],
        description: "Fails the Group system:authenticated when a role bound to it grants any verb on pods (or exec, attach, portforward), workload controllers, nodes, Secrets or `*`.",
        rationale: "system:authenticated is every caller with any valid credential: every ServiceAccount of every pod, and on some managed clusters every account of the cloud provider. A sensitive permission given to it is given to anyone who gets any token.",
        remediation: "Bind the role to the users or groups that need it instead of system:authenticated.",
        example: "kubectl get clusterrolebindings,rolebindings -A -o json | jq '.items[] | select(.subjects[]?.name==\"system:authenticated\") | .metadata.name'",
        reads: rbacKinds,
        notes: "Matches the plural names `statefulsets` and `daemonsets` (Kubescape's list spells them singular and misses them) and counts RoleBindings to ClusterRoles, which Kubescape skips."
    ) { context in
        context.evaluateSubjects { subject, grants in
            guard subject.kind == "Group" && subject.name == "system:authenticated" else { return nil }
            return context.subjectFailure(
                "Group system:authenticated has access to workloads, nodes or Secrets",
                grants: grants.filter(workloadAccessPermission.isGranted))
        }
    }
}
