/// Linux capability names, compared by the workload controls and the admission policies alike.
package enum LinuxCapability {
    /// The name as the container runtime reads it: case-insensitive, with or without the `CAP_` prefix.
    package static func canonical(_ name: String) -> String {
        let upper = name.uppercased()
        return upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
    }
}
