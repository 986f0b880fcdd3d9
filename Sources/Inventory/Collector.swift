import FoundationEssentials
import KubeClient

/// Lists every resource kind Lookout reads into a ClusterSnapshot, a bounded number of LISTs at a time.
/// A kind the credentials may not list is recorded as forbidden and the scan goes on; losing the
/// connection or the credentials ends it.
public struct Collector: Sendable {
    public var api: KubeAPI
    public var scope: NamespaceScope
    public var kinds: [ResourceKind]
    public var maxListsInFlight: Int
    public var pageSize: Int

    public init(
        api: KubeAPI, scope: NamespaceScope = NamespaceScope(), kinds: [ResourceKind] = ResourceKind.allCases,
        maxListsInFlight: Int = 4, pageSize: Int = 500
    ) {
        self.api = api
        self.scope = scope
        self.kinds = kinds
        self.maxListsInFlight = maxListsInFlight
        self.pageSize = pageSize
    }

    public typealias Progress = @Sendable (_ kind: ResourceKind, _ count: Int) -> Void

    public func collect(progress: Progress? = nil) async throws(APIError) -> ClusterSnapshot {
        let version = try await api.serverVersion()
        var snapshot = ClusterSnapshot(
            cluster: ClusterInfo(server: api.config.displayServer, context: api.config.contextName, version: version.gitVersion))
        snapshot.scope = scope
        let discovery = try await api.discover(groups: Set(kinds.map(\.group)))

        var planned: [(ResourceKind, [ListRequest])] = []
        for kind in kinds {
            guard let version = discovery.version(of: kind.rawValue, group: kind.group, candidates: kind.versions) else {
                if let failure = discovery.failure(group: kind.group, candidates: kind.versions) {
                    // Optional kinds too: "not served" would let controls conclude there are none.
                    snapshot.errors.append(
                        CollectionError(resource: kind.rawValue, reason: "failed", message: "API discovery failed: \(failure)"))
                } else if !kind.isOptional {
                    snapshot.errors.append(
                        CollectionError(resource: kind.rawValue, reason: "not served", message: "the API server does not serve \(kind.rawValue) in a version Lookout reads"))
                }
                continue
            }
            planned.append((kind, scope.listRequests(prefix: Discovery.pathPrefix(group: kind.group, version: version), kind: kind)))
        }

        // The kubelet configurations are read through the node proxy as soon as the Nodes are listed,
        // while the other kinds are still being listed.
        let (listedNodes, nodesListed) = AsyncStream.makeStream(of: [String].self)
        async let kubelets = KubeletConfigCollector(api: api).collect(nodesFrom: listedNodes)
        let results = await listAll(planned, progress: progress) { nodesListed.yield($0) }
        nodesListed.finish()
        for (kind, result) in results.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .success(let items):
                snapshot.store(items.filter { scope.contains(kind == .namespaces ? $0.name : $0.metadata.namespace) }, as: kind)
                snapshot.collected.insert(kind)
            case .failure(.forbidden(_, let message)):
                snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: "forbidden", message: message))
            case .failure(.notFound):
                if !kind.isOptional {
                    snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: "not served", message: "404 Not Found"))
                }
            case .failure(let error) where error.endsScan:
                throw error
            case .failure(let error):
                snapshot.errors.append(CollectionError(resource: kind.rawValue, reason: CollectionError.failed, message: "\(error)"))
            }
        }
        if snapshot.collected.contains(.nodes), let kubelets = await kubelets {
            kubelets.fill(&snapshot)
        }
        return snapshot
    }

    /// Lists the planned kinds, `maxListsInFlight` at a time; `nodesListed` gets the names of the Nodes
    /// as soon as they are listed.
    private func listAll(
        _ planned: [(ResourceKind, [ListRequest])], progress: Progress?, nodesListed: @escaping @Sendable ([String]) -> Void
    ) async
        -> [(ResourceKind, Result<[any KubeObject], APIError>)]
    {
        await withTaskGroup(of: (ResourceKind, Result<[any KubeObject], APIError>).self) { group in
            var pending = planned[...]
            var results: [(ResourceKind, Result<[any KubeObject], APIError>)] = []
            func startNext() {
                guard let (kind, requests) = pending.popFirst() else { return }
                group.addTask {
                    do throws(APIError) {
                        var items: [any KubeObject] = []
                        for request in requests { items += try await list(request, as: kind.modelType) }
                        progress?(kind, items.count)
                        if kind == .nodes { nodesListed(items.map(\.name)) }
                        return (kind, .success(items))
                    } catch {
                        return (kind, .failure(error))
                    }
                }
            }
            for _ in 0..<maxListsInFlight { startNext() }
            for await result in group {
                results.append(result)
                startNext()
            }
            return results
        }
    }

    private func list<Object: KubeObject>(_ request: ListRequest, as type: Object.Type) async throws(APIError) -> [any KubeObject] {
        try await api.list(request.path, as: type, pageSize: pageSize, fieldSelector: request.fieldSelector)
    }
}

/// One LIST of a kind: a collection path and, when the server should leave namespaces out, a field selector.
struct ListRequest: Sendable, Hashable {
    var path: String
    var fieldSelector: String?
}

extension NamespaceScope {
    /// At most this many included namespaces are listed one by one; a longer include list is one LIST of
    /// the whole cluster, filtered here.
    static let maxNamespacedLists = 8

    /// The LISTs that fetch `kind` within the scope, so that the API server leaves out what the scan would
    /// drop: excluded namespaces through a field selector on `metadata.namespace`, a short include list as
    /// one LIST per namespace. Cluster-scoped kinds are listed whole. The objects are still filtered by
    /// `contains` after the LIST: narrowing changes what crosses the network, never what is scanned.
    func listRequests(prefix: String, kind: ResourceKind) -> [ListRequest] {
        guard kind.isNamespaced else { return [ListRequest(path: prefix + "/" + kind.rawValue)] }
        let included = included.filter { !excluded.contains($0) }
        if !included.isEmpty, Set(included).count <= Self.maxNamespacedLists {
            return Set(included).sorted().map { ListRequest(path: "\(prefix)/namespaces/\($0)/\(kind.rawValue)") }
        }
        let selector = excluded.sorted().map { "metadata.namespace!=\($0)" }.joined(separator: ",")
        return [ListRequest(path: prefix + "/" + kind.rawValue, fieldSelector: selector.isEmpty ? nil : selector)]
    }
}

extension APIError {
    /// Errors that say nothing more can be read: the server is gone or does not accept us.
    var endsScan: Bool {
        switch self {
        case .transport, .unauthorized, .credentials: true
        default: false
        }
    }
}

extension ResourceKind {
    /// The model a LIST of this kind decodes into (public for the fuzzer, which decodes pages as the collector does).
    public var modelType: any KubeObject.Type {
        switch self {
        case .namespaces: Namespace.self
        case .nodes: Node.self
        case .pods: Pod.self
        case .deployments: Deployment.self
        case .replicasets: ReplicaSet.self
        case .daemonsets: DaemonSet.self
        case .statefulsets: StatefulSet.self
        case .jobs: Job.self
        case .cronjobs: CronJob.self
        case .replicationcontrollers: ReplicationController.self
        case .persistentvolumeclaims: PersistentVolumeClaim.self
        case .gateways: IstioGateway.self
        case .virtualservices: VirtualService.self
        case .services: Service.self
        case .ingresses: Ingress.self
        case .networkpolicies: NetworkPolicy.self
        case .serviceaccounts: ServiceAccount.self
        case .configmaps: ConfigMap.self
        case .roles, .clusterroles: Role.self
        case .rolebindings, .clusterrolebindings: RoleBinding.self
        case .resourcequotas, .limitranges: NamespacePolicyObject.self
        case .validatingwebhookconfigurations, .mutatingwebhookconfigurations: WebhookConfiguration.self
        case .apiservices: APIService.self
        case .ciliumnetworkpolicies, .ciliumclusterwidenetworkpolicies: CiliumPolicy.self
        case .horizontalpodautoscalers: HorizontalPodAutoscaler.self
        case .persistentvolumes: PersistentVolume.self
        case .podsecuritypolicies: PodSecurityPolicy.self
        case .validatingadmissionpolicies: ValidatingAdmissionPolicy.self
        case .validatingadmissionpolicybindings: ValidatingAdmissionPolicyBinding.self
        case .httproutes, .grpcroutes, .tcproutes, .udproutes, .tlsroutes: Route.self
        case .vulnerabilityreports: VulnerabilityReport.self
        }
    }
}

extension ClusterSnapshot {
    /// Puts listed objects into the field of their kind, their namespaces resolved.
    public mutating func store(_ items: [any KubeObject], as kind: ResourceKind) {
        func cast<T>(_: T.Type = T.self) -> [T] { items.compactMap { kind.resolvingNamespace($0) as? T } }
        switch kind {
        case .namespaces: namespaces = cast()
        case .nodes: nodes = cast()
        case .pods: pods = cast()
        case .deployments: deployments = cast()
        case .replicasets: replicaSets = cast()
        case .daemonsets: daemonSets = cast()
        case .statefulsets: statefulSets = cast()
        case .jobs: jobs = cast()
        case .cronjobs: cronJobs = cast()
        case .replicationcontrollers: replicationControllers = cast()
        case .persistentvolumeclaims: persistentVolumeClaims = cast()
        case .gateways: istioGateways = cast()
        case .virtualservices: virtualServices = cast()
        case .services: services = cast()
        case .ingresses: ingresses = cast()
        case .networkpolicies: networkPolicies = cast()
        case .serviceaccounts: serviceAccounts = cast()
        case .configmaps: configMaps = cast()
        case .roles: roles = cast()
        case .rolebindings: roleBindings = cast()
        case .clusterroles: clusterRoles = cast()
        case .clusterrolebindings: clusterRoleBindings = cast()
        case .resourcequotas: resourceQuotas = cast()
        case .limitranges: limitRanges = cast()
        case .validatingwebhookconfigurations: validatingWebhookConfigurations = cast()
        case .mutatingwebhookconfigurations: mutatingWebhookConfigurations = cast()
        case .apiservices: apiServices = cast()
        case .ciliumnetworkpolicies: ciliumNetworkPolicies = cast()
        case .ciliumclusterwidenetworkpolicies: ciliumClusterwideNetworkPolicies = cast()
        case .horizontalpodautoscalers: horizontalPodAutoscalers = cast()
        case .persistentvolumes: persistentVolumes = cast()
        case .podsecuritypolicies: podSecurityPolicies = cast()
        case .validatingadmissionpolicies: validatingAdmissionPolicies = cast()
        case .validatingadmissionpolicybindings: validatingAdmissionPolicyBindings = cast()
        case .httproutes: httpRoutes = cast()
        case .grpcroutes: grpcRoutes = cast()
        case .tcproutes: tcpRoutes = cast()
        case .udproutes: udpRoutes = cast()
        case .tlsroutes: tlsRoutes = cast()
        case .vulnerabilityreports: vulnerabilityReports = cast()
        }
    }
}
