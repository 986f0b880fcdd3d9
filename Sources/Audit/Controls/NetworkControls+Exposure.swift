import Inventory

/// Controls over how workloads are reached: from outside the cluster, through which Services and ports.
extension NetworkControls {
    static func exposureFailure(_ message: String, exposures: [RelatedObject], in context: AuditContext) -> Failure? {
        guard !exposures.isEmpty else { return nil }
        return Failure(message: message, evidence: exposures.map { "exposed by \(context.describe(exposure: $0))" }, related: exposures)
    }

    static let externalFacing = Control(
        id: "C-0256", name: "External facing", baseScore: 7,
        frameworks: ["ClusterScan", "security"],
        description: "Fails a workload that traffic from outside the cluster can reach: a NodePort or LoadBalancer Service (or one with externalIPs) selects its pods, or an Ingress, a Gateway API route or an Istio VirtualService on a public Istio Gateway sends to a Service that does.",
        rationale: "An externally reachable workload is the first thing an attacker probes: any vulnerability or weak authentication in it is exploitable from the internet, and it is the usual entry point into the cluster.",
        remediation: "Expose only the workloads that must be public, through one Ingress or Gateway with TLS and authentication; keep other Services ClusterIP.",
        example: "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\nspec:\n  type: ClusterIP   # not NodePort/LoadBalancer\n  selector: {app: db}\n  ports: [{port: 5432}]",
        reads: workloadKinds + [.services, .ingresses], optionalReads: exposureKinds,
        notes: "Gateway API routes (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute) and Istio VirtualServices (as C-0266 judges them) count as exposure when the cluster serves them, and Services with externalIPs count like NodePort ones."
    ) { context in
        context.evaluateWorkloads { workload in
            exposureFailure(
                "\(workload.kind) \(workload.name) is reachable from outside the cluster",
                exposures: context.externalExposures(of: workload), in: context)
        }
    }

    static let exposedSensitiveInterfaces = Control(
        id: "C-0021", name: "Exposed sensitive interfaces", baseScore: 6,
        frameworks: ["MITRE"],
        description: "Fails a workload whose name contains one of the controls-config `sensitiveInterfaces` (Jenkins, Kubeflow, Argo server, Kubernetes Dashboard, JupyterHub, MLflow, Ollama, …) when a NodePort or LoadBalancer Service selects it.",
        rationale: "Management and ML interfaces run code, hold credentials and often ship without authentication: exposed on a node port or load balancer they give anyone who finds them a foothold in the cluster.",
        remediation: "Make the Service ClusterIP and reach the interface through an authenticated Ingress, a VPN or `kubectl port-forward`.",
        example: "kubectl -n ci patch service jenkins -p '{\"spec\":{\"type\":\"ClusterIP\"}}'",
        reads: workloadKinds + [.services],
        notes: "Every Service that selects the workload is considered: one NodePort or LoadBalancer Service among several ClusterIP ones fails it, and the evidence names the external ones. A Service selects by the pod template's labels in the workload's own namespace (Kubescape compares the workload's own labels or selector, in any namespace). A LoadBalancer Service counts whether or not it has been given an address yet (Kubescape requires an assigned ingress IP), and Services with externalIPs count like NodePort ones. Names are compared case-insensitively."
    ) { context in
        let interfaces = context.config.sensitiveInterfaces.map { (interface: $0, pattern: $0.lowercased()) }
        return context.evaluateWorkloads { workload in
            let name = workload.name.lowercased()
            guard let interface = interfaces.first(where: { name.containsSubstring($0.pattern) })?.interface else {
                return nil
            }
            let services = context.services(selecting: workload).filter(\.isExternallyReachable)
            guard !services.isEmpty else { return nil }
            let exposures = services.map { RelatedObject(kind: "Service", namespace: $0.namespace, name: $0.name) }
            return Failure(
                message: "\(workload.kind) \(workload.name) is a sensitive interface (\(interface)) exposed outside the cluster",
                evidence: ["metadata.name contains \"\(interface)\""]
                    + exposures.map { "exposed by \(context.describe(exposure: $0))" },
                related: exposures)
        }
    }

    /// The ports of `service` that reach SSH whatever pods it selects: the port or a numeric target
    /// port is 22 or 2222, as `spec.ports[i].port=22`. This part needs no pod, so the admission gate
    /// judges a Service with it alone.
    package static func sshServicePorts(_ service: Service) -> [(index: Int, field: String)] {
        (service.spec.ports ?? []).enumerated().compactMap { index, port in
            if SSHPorts.all.contains(port.port) { return (index, "port=\(port.port)") }
            if case .int(let target) = port.targetPort, SSHPorts.all.contains(target) { return (index, "targetPort=\(target)") }
            return nil
        }
    }

    /// Evidence lines for each port of `service` that reaches SSH in the workload: the Service port or its
    /// target port is 22 or 2222, a named target port resolving to such a container port included.
    static func sshPortEvidence(_ service: Service, workload: Workload) -> [String] {
        let containerPorts = workload.podSpec.allContainers.flatMap { $0.container.ports ?? [] }
        let direct = Dictionary(sshServicePorts(service).map { ($0.index, $0.field) }, uniquingKeysWith: { first, _ in first })
        var evidence: [String] = []
        for (index, port) in (service.spec.ports ?? []).enumerated() {
            let path = "Service \(service.namespace)/\(service.name) spec.ports[\(index)]"
            if let field = direct[index] {
                evidence.append("\(path).\(field)")
            } else if case .string(let name) = port.targetPort,
                let resolved = containerPorts.first(where: { $0.name == name }), SSHPorts.all.contains(resolved.containerPort)
            {
                evidence.append("\(path).targetPort=\(name) (containerPort \(resolved.containerPort))")
            }
        }
        return evidence
    }

    static let sshServerRunning = Control(
        id: "C-0042", name: "SSH server running inside container", baseScore: 3,
        frameworks: ["MITRE"],
        description: "Fails a workload selected by a Service of its namespace whose port or target port is 22 or 2222 (the SSH ports), named target ports resolved through the containers' ports.",
        rationale: "An SSH server in a container is a second way in that bypasses Kubernetes authentication and audit: brute-forced or leaked keys give a shell in the pod, and the daemon usually runs as root.",
        remediation: "Remove the SSH server from the image and the port from the Service; use `kubectl exec` (audited, RBAC-controlled) for debugging.",
        example: "kubectl exec -it deploy/web -- sh   # instead of ssh into the pod",
        reads: workloadKinds + [.services],
        notes: "A Service selects a workload when its selector is a subset of the pod labels (Kubescape compares the selector with the labels minus pod-template-hash), and a named targetPort is resolved to the container port it names."
    ) { context in
        context.evaluateWorkloads { workload in
            var evidence: [String] = []
            var related: [RelatedObject] = []
            for service in context.services(selecting: workload) {
                let lines = sshPortEvidence(service, workload: workload)
                guard !lines.isEmpty else { continue }
                evidence += lines
                related.append(RelatedObject(kind: "Service", namespace: service.namespace, name: service.name))
            }
            return evidence.isEmpty
                ? nil
                : Failure(message: "\(workload.kind) \(workload.name) is reachable on an SSH port", evidence: evidence, related: related)
        }
    }

    static let ingressUsesTLS = Control(
        id: "C-0263", name: "Ingress uses TLS", baseScore: 7,
        frameworks: ["SOC2"],
        description: "Fails an Ingress without a `spec.tls` section: it serves its hosts over plain HTTP.",
        rationale: "Without TLS, credentials, session cookies and data travel in clear text between clients and the ingress controller and can be read or altered by anyone on the path.",
        remediation: "Add `spec.tls` with the hosts and a certificate Secret (cert-manager can issue and renew it).",
        example: "spec:\n  tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls",
        reads: [.ingresses]
    ) { context in
        .evaluated(context.snapshot.ingresses.map { ingress in
            ResourceVerdict(
                resource: ResourceRef(
                    apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: ingress.namespace,
                    name: ingress.name),
                failure: (ingress.spec.tls ?? []).isEmpty
                    ? Failure(message: "Ingress \(ingress.name) serves plain HTTP", evidence: ["spec.tls is not set"]) : nil)
        })
    }

    static let gatewayAPIExposure = Control(
        id: "C-0266", name: "Exposure to internet via Gateway API or Istio Ingress", baseScore: 7,
        frameworks: ["security"],
        description: "Fails a workload that is the backend, through a Service that selects its pods, of a Gateway API route (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute) or of an Istio VirtualService bound to a public Istio Gateway (one whose ingress gateway pods a NodePort or LoadBalancer Service exposes).",
        rationale: "A route attached to a Gateway publishes the workload through the gateway's load balancer: it is reachable from outside the cluster, and every weakness in it is exposed.",
        remediation: "Route only public workloads through a Gateway, and protect them with TLS and authentication at the gateway; detach routes of internal services.",
        example: "kubectl get httproutes,grpcroutes,tcproutes,virtualservices.networking.istio.io -A -o wide",
        reads: workloadKinds + [.services], optionalReads: exposureKinds,
        noneServedReason: "neither Gateway API routes (HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute) nor Istio Gateways and VirtualServices are served by this cluster",
        notes: "Istio as in Kubescape: a VirtualService's `gateways` (`name` in its namespace or `namespace/name`; `mesh` is not a gateway) name an Istio Gateway, and its destination hosts (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`) a Service selecting the workload. A Gateway is public when a NodePort or LoadBalancer Service of its ingress pods exists (a Service whose selector or labels include the Gateway's selector), or, as in Kubescape, when its name ends in `public` and it has such a Service of any type. Lookout also reads TLS and TCP routes as well as HTTP ones and the full `…svc.cluster.local` form, finds the ingress pods through their workload too, and looks for the gateway's Service in every namespace with every selector label (Kubescape: istio-system only, any one label value). Skipped when the cluster serves neither Gateway API routes nor Istio's networking kinds, or serves one the credentials may not list."
    ) { context in
        let exposingKinds = Set(routeKinds.map(\.kind) + ["VirtualService"])
        return context.evaluateWorkloads { workload in
            exposureFailure(
                "\(workload.kind) \(workload.name) is exposed through a Gateway API route or an Istio ingress",
                exposures: context.externalExposures(of: workload).filter { exposingKinds.contains($0.kind) },
                in: context)
        }
    }
}
