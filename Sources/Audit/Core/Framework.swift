/// A named set of controls. Membership is declared on each control, so a framework is a filter.
public struct Framework: Sendable, Hashable {
    public let name: String

    public init(name: String) { self.name = name }

    public func contains(_ control: Control) -> Bool { control.frameworks.contains(name) }

    public var controls: [Control] { Catalogue.controls.filter(contains) }

    public static let all: [Framework] = [
        "ClusterScan", "MITRE", "NSA", "lookout", "ArmoBest", "DevOpsBest", "security", "WorkloadScan", "SOC2",
        "cis-v1.12.0",
    ].map(Framework.init(name:))

    /// `lookout scan` without a selection: Kubescape's default trio plus Lookout's own controls.
    public static let defaultSelection: [Framework] = all.filter {
        ["ClusterScan", "MITRE", "NSA", "lookout"].contains($0.name)
    }

    /// Case-insensitive lookup, as users type `nsa` or `mitre`.
    public static func named(_ name: String) -> Framework? {
        all.first { $0.name.lowercased() == name.lowercased() }
    }
}
