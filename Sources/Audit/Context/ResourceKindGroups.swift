import Inventory

// Kinds that controls of several families read together, named once.

/// The kinds a Workload is built from (Workload.swift).
let workloadKinds: [ResourceKind] = [
    .pods, .deployments, .replicasets, .daemonsets, .statefulsets, .jobs, .cronjobs, .replicationcontrollers,
]

/// Gateway API routes: they send traffic to Services as Ingresses do.
let routeKinds: [ResourceKind] = [.httproutes, .grpcroutes, .tcproutes, .udproutes, .tlsroutes]

/// The optional kinds through which external exposure is found besides Services and Ingresses: routes,
/// and Istio's Gateways and VirtualServices (AuditContext.externalExposures).
let exposureKinds: [ResourceKind] = routeKinds + [.gateways, .virtualservices]

/// Roles and their bindings, which the RBAC grants of AuditContext are resolved from.
let rbacKinds: [ResourceKind] = [.roles, .clusterroles, .rolebindings, .clusterrolebindings]
