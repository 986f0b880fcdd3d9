/// `major.minor.patch` as Kubernetes components and images write it: an optional leading `v`, and a
/// vendor or build suffix after the numbers (`v1.21.2-eks-0389ca3`, `v1.28.3+k3s1`, `9.2.3-ubuntu`,
/// `1.6.6-0ubuntu1`) that is kept out of comparisons, so vendor builds compare as the release they
/// are built from. Pre-release suffixes (`-rc.1`) are ignored the same way.
struct SemanticVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    var major: Int
    var minor: Int
    var patch: Int
    /// Whether all three numbers were written: `9.2` names no single release.
    var isComplete: Bool

    init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.isComplete = true
    }

    init?(_ text: some StringProtocol) {
        var rest = Substring(text)
        if let first = rest.first, first == "v" || first == "V" { rest = rest.dropFirst() }
        let core = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        if let next = rest.dropFirst(core.count).first, !"-+_~".contains(next) { return nil }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(numbers.count) else { return nil }
        let values = numbers.compactMap { Int($0) }
        guard values.count == numbers.count else { return nil }
        major = values[0]
        minor = values.count > 1 ? values[1] : 0
        patch = values.count > 2 ? values[2] : 0
        isComplete = values.count == 3
    }

    var description: String { "\(major).\(minor).\(patch)" }

    /// `v1.30`: the minor release, as Kubernetes names the releases it supports.
    var minorRelease: String { "v\(major).\(minor)" }

    func isSameMinor(as other: SemanticVersion) -> Bool { (major, minor) == (other.major, other.minor) }

    /// Whether the version falls in one of `ranges`, each from the first affected release up to
    /// (not including) the release that fixed it.
    func isIn(_ ranges: [Range<SemanticVersion>]) -> Bool { ranges.contains { $0.contains(self) } }

    static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
    }
}
