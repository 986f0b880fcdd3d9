@testable import Audit
import Testing

/// The catalogue against the design's control list and Kubescape's framework definitions
/// (../shared/design/controls.md): every control is there once, and each framework holds exactly
/// the controls Kubescape's framework file lists.
@Suite struct CatalogueTests {
    static let expectedIDs: Set<String> = ["C-0002", "C-0004", "C-0005", "C-0007", "C-0009", "C-0012", "C-0013", "C-0014", "C-0015", "C-0016", "C-0017", "C-0018", "C-0020", "C-0021", "C-0026", "C-0030", "C-0031", "C-0034", "C-0035", "C-0036", "C-0037", "C-0038", "C-0039", "C-0041", "C-0042", "C-0044", "C-0045", "C-0046", "C-0048", "C-0049", "C-0050", "C-0052", "C-0053", "C-0054", "C-0055", "C-0056", "C-0057", "C-0058", "C-0059", "C-0061", "C-0062", "C-0063", "C-0065", "C-0066", "C-0067", "C-0068", "C-0069", "C-0070", "C-0073", "C-0074", "C-0075", "C-0076", "C-0077", "C-0078", "C-0079", "C-0081", "C-0086", "C-0087", "C-0088", "C-0089", "C-0090", "C-0091", "C-0185", "C-0186", "C-0187", "C-0188", "C-0189", "C-0190", "C-0191", "C-0192", "C-0193", "C-0197", "C-0198", "C-0199", "C-0200", "C-0201", "C-0202", "C-0203", "C-0204", "C-0205", "C-0206", "C-0207", "C-0208", "C-0209", "C-0210", "C-0211", "C-0212", "C-0236", "C-0237", "C-0246", "C-0253", "C-0255", "C-0256", "C-0257", "C-0258", "C-0259", "C-0260", "C-0261", "C-0262", "C-0263", "C-0264", "C-0265", "C-0266", "C-0267", "C-0268", "C-0269", "C-0270", "C-0271", "C-0272", "C-0273", "C-0274", "C-0275", "C-0276", "C-0278", "C-0279", "C-0280", "C-0281", "C-0282", "C-0289", "C-0292", "C-0293", "C-0294", "C-0295", "C-0296", "C-0298", "C-0299", "C-0300", "C-0302", "C-0305", "C-0306", "C-0307", "LO-001", "LO-002", "LO-003", "LO-004", "LO-010", "LO-011", "LO-012", "LO-013", "LO-014", "LO-020", "LO-021", "LO-022", "LO-023", "LO-024", "LO-025", "LO-030", "LO-031", "LO-032", "LO-040", "LO-041", "LO-050"]

    static let frameworkMembers: [String: Set<String>] = [
        "NSA": ["C-0002", "C-0005", "C-0012", "C-0013", "C-0016", "C-0017", "C-0030", "C-0034", "C-0035", "C-0038", "C-0041", "C-0044", "C-0046", "C-0054", "C-0055", "C-0057", "C-0058", "C-0059", "C-0066", "C-0067", "C-0068", "C-0069", "C-0070", "C-0270", "C-0271", "C-0292"],
        "MITRE": ["C-0002", "C-0007", "C-0012", "C-0014", "C-0015", "C-0020", "C-0021", "C-0026", "C-0031", "C-0035", "C-0036", "C-0037", "C-0039", "C-0042", "C-0045", "C-0048", "C-0052", "C-0053", "C-0054", "C-0057", "C-0058", "C-0059", "C-0066", "C-0067", "C-0068", "C-0069", "C-0070"],
        "ArmoBest": ["C-0002", "C-0005", "C-0012", "C-0013", "C-0016", "C-0017", "C-0030", "C-0034", "C-0035", "C-0038", "C-0041", "C-0044", "C-0046", "C-0049", "C-0054", "C-0055", "C-0057", "C-0058", "C-0059", "C-0061", "C-0062", "C-0063", "C-0065", "C-0066", "C-0067", "C-0068", "C-0069", "C-0070", "C-0078", "C-0079", "C-0081", "C-0087", "C-0089", "C-0091", "C-0236", "C-0237", "C-0270", "C-0271", "C-0292", "C-0306"],
        "DevOpsBest": ["C-0018", "C-0044", "C-0056", "C-0061", "C-0073", "C-0074", "C-0075", "C-0076", "C-0077", "C-0253", "C-0268", "C-0269", "C-0270", "C-0271", "C-0292", "C-0293", "C-0294", "C-0295", "C-0296", "C-0298", "C-0299", "C-0300", "C-0302", "C-0305", "C-0307"],
        "ClusterScan": ["C-0002", "C-0005", "C-0007", "C-0012", "C-0013", "C-0015", "C-0035", "C-0036", "C-0038", "C-0039", "C-0041", "C-0048", "C-0057", "C-0063", "C-0066", "C-0067", "C-0088", "C-0187", "C-0188", "C-0256", "C-0260", "C-0262", "C-0265"],
        "security": ["C-0005", "C-0012", "C-0013", "C-0016", "C-0017", "C-0034", "C-0035", "C-0038", "C-0041", "C-0044", "C-0045", "C-0046", "C-0048", "C-0057", "C-0066", "C-0069", "C-0070", "C-0074", "C-0211", "C-0255", "C-0256", "C-0257", "C-0258", "C-0259", "C-0260", "C-0261", "C-0262", "C-0264", "C-0265", "C-0266", "C-0267", "C-0270", "C-0271", "C-0272", "C-0273", "C-0274", "C-0292"],
        "WorkloadScan": ["C-0012", "C-0013", "C-0016", "C-0017", "C-0034", "C-0038", "C-0041", "C-0044", "C-0045", "C-0046", "C-0048", "C-0055", "C-0057", "C-0078", "C-0207", "C-0257", "C-0260", "C-0270", "C-0271"],
        "SOC2": ["C-0012", "C-0035", "C-0067", "C-0186", "C-0260", "C-0263", "C-0264"]
    ]

    @Test func everyDesignedControlExistsOnce() {
        let ids = Catalogue.controls.map(\.id)
        #expect(Set(ids) == Self.expectedIDs, "missing: \(Self.expectedIDs.subtracting(ids).sorted()), extra: \(Set(ids).subtracting(Self.expectedIDs).sorted())")
        #expect(ids.count == Set(ids).count, "duplicate IDs")
    }

    @Test(arguments: frameworkMembers.keys.sorted())
    func frameworkMembershipMatchesKubescape(framework: String) {
        let members = Set(Catalogue.controls.filter { $0.frameworks.contains(framework) }.map(\.id))
        let expected = Self.frameworkMembers[framework] ?? []
        #expect(members == expected, "missing: \(expected.subtracting(members).sorted()), extra: \(members.subtracting(expected).sorted())")
    }

    @Test func tierTwoControlsFormTheLookoutFramework() {
        let lookout = Set(Catalogue.controls.filter { $0.frameworks.contains("lookout") }.map(\.id))
        #expect(lookout == Set(Self.expectedIDs.filter { $0.hasPrefix("LO-") }))
    }

    @Test func cisSectionFiveControlsAreInTheCISFramework() {
        let cis = Set(Catalogue.controls.filter { $0.frameworks.contains("cis-v1.12.0") }.map(\.id))
        #expect(cis == ["C-0041", "C-0185", "C-0186", "C-0187", "C-0188", "C-0189", "C-0190", "C-0191", "C-0192", "C-0193", "C-0197", "C-0198", "C-0199", "C-0200", "C-0201", "C-0202", "C-0203", "C-0204", "C-0205", "C-0206", "C-0207", "C-0208", "C-0209", "C-0210", "C-0211", "C-0212", "C-0246", "C-0275", "C-0276", "C-0278", "C-0279", "C-0280", "C-0281", "C-0282", "C-0289"])
    }

    @Test func everyControlHasItsDocumentation() {
        for control in Catalogue.controls {
            #expect(!control.name.isEmpty && !control.description.isEmpty && !control.rationale.isEmpty && !control.remediation.isEmpty, "\(control.id)")
            #expect(control.baseScore > 0, "\(control.id)")
        }
    }
}
