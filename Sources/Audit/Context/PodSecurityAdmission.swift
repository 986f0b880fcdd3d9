import Inventory

/// The Pod Security Standards, least to most restrictive.
enum PodSecurityLevel: String, Sendable, CaseIterable, Comparable {
    case privileged, baseline, restricted

    private var rank: Int {
        switch self {
        case .privileged: 0
        case .baseline: 1
        case .restricted: 2
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// `baseline or restricted`, `restricted`: the levels that satisfy this one.
    var satisfiedBy: String {
        Self.allCases.filter { $0 >= self }.map(\.rawValue).joined(separator: " or ")
    }
}

extension Namespace {
    static let podSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"

    /// The evidence lines that say why the namespace's Pod Security Admission label does not enforce
    /// `required`, or nil when it does.
    func enforcementGap(required: PodSecurityLevel) -> [String]? {
        let label = Self.podSecurityEnforceLabel
        guard let value = labels[label] else { return ["metadata.labels[\(label)] is not set"] }
        guard let level = PodSecurityLevel(rawValue: value) else {
            return ["metadata.labels[\(label)]=\(value) (not a Pod Security level)"]
        }
        return level >= required ? nil : ["metadata.labels[\(label)]=\(value)"]
    }
}
