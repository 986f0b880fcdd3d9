import Inventory

extension AuditContext {
    /// Every way traffic from outside the cluster reaches the workload, as evidence lines and the objects
    /// behind them: NodePort/LoadBalancer Services (or Services with externalIPs), Ingresses and Gateway
    /// API routes to a Service that selects it, container host ports, and the node's network.
    func externalReach(of workload: Workload) -> (evidence: [String], related: [RelatedObject]) {
        let exposures = externalExposures(of: workload)
        var evidence = exposures.map { "exposed by \(describe(exposure: $0))" }
        for (path, container) in workload.podSpec.allContainers { evidence += workload.hostPortEvidence(path, container) }
        if workload.podSpec.hostNetwork == true { evidence.append("\(workload.podSpecPath).hostNetwork=true") }
        return (evidence, exposures)
    }

    /// `Service apps/web (LoadBalancer)`, `Ingress apps/shop`: an exposing object as evidence names it.
    func describe(exposure: RelatedObject) -> String {
        guard exposure.kind == "Service",
            let service = relations.servicesByKey[ObjectKey(kind: "Service", namespace: exposure.namespace, name: exposure.name)]
        else { return exposure.displayName }
        return "\(exposure.displayName) (\(service.spec.type ?? "ClusterIP")\((service.spec.externalIPs ?? []).isEmpty ? "" : " with externalIPs"))"
    }
}

extension Workload {
    /// `spec.containers[0].ports[1].hostPort=8080` for each port the container opens on its node.
    /// Kubernetes accepts hostPort 0 to 65535, 0 meaning none.
    func hostPortEvidence(_ path: String, _ container: Container) -> [String] {
        (container.ports ?? []).enumerated().compactMap { index, port in
            guard let hostPort = port.hostPort, hostPort > 0 else { return nil }
            return "\(self.path(path, "ports[\(index)].hostPort"))=\(hostPort)"
        }
    }
}
