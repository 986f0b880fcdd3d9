/// Every control Lookout knows, in catalogue order: one family file each under Controls/.
public enum Catalogue {
    public static let controls: [Control] =
        RBACControls.all + WorkloadPrivilegeControls.all + WorkloadHygieneControls.all + NetworkControls.all
        + ClusterControls.all + NodeControls.all + ExposureControls.all + AdmissionControls.all + PostureControls.all

    public static func control(id: String) -> Control? {
        controls.first { $0.id.uppercased() == id.uppercased() }
    }
}
