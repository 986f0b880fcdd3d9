import Inventory

/// The managed Kubernetes service a cluster runs on, as Kubescape names it in its cluster description.
public enum CloudProvider: String, Sendable, CaseIterable {
    case eks, gke, aks
}

extension ClusterSnapshot {
    /// The provider the nodes' `spec.providerID` (`aws://`, `gce://`, `azure://`) or the server's version
    /// (`v1.29.1-eks-…`, `v1.29.1-gke.…`) name; nil when they name none, or disagree. Manifests have
    /// neither, so file scans have no provider.
    public var cloudProvider: CloudProvider? {
        var found = Set<CloudProvider>()
        for node in nodes {
            guard let id = node.spec?.providerID else { continue }
            if id.hasPrefix("aws://") { found.insert(.eks) }
            if id.hasPrefix("gce://") { found.insert(.gke) }
            if id.hasPrefix("azure://") { found.insert(.aks) }
        }
        if let version = cluster.version {
            if version.contains("-eks-") { found.insert(.eks) }
            if version.contains("-gke.") { found.insert(.gke) }
        }
        return found.count == 1 ? found.first : nil
    }
}
