/// Every control Lookout knows, in catalogue order.
public enum Catalogue {
    public static let controls: [Control] = RBACControls.all + WorkloadPrivilegeControls.all + NetworkControls.all

    public static func control(id: String) -> Control? {
        controls.first { $0.id.uppercased() == id.uppercased() }
    }
}
