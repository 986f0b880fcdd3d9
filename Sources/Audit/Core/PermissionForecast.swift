import Inventory

extension PermissionPreflight {
    /// The controls among `controls` that these permissions alone will skip, each with the skip reason
    /// the scan will report.
    ///
    /// Each control runs on two empty snapshots: the one these permissions would collect, and one with
    /// every permission. Skipped on the first but not on the second means skipped for lack of
    /// permission; running the controls themselves keeps the forecast true to their own skip rules.
    public func skippedControls(_ controls: [Control]) -> [(control: Control, reason: String)] {
        let expected = AuditContext(snapshot: expectedSnapshot)
        let unrestricted = AuditContext(snapshot: unrestrictedSnapshot)
        return controls.compactMap { control in
            guard case .skipped(let reason) = control.run(in: expected), !control.run(in: unrestricted).isSkipped
            else { return nil }
            return (control, reason)
        }
    }
}
