/// Lists that some controls read, with Kubescape's defaults (`--controls-config` overrides them).
public struct ControlsConfig: Codable, Sendable, Hashable {
    public var insecureCapabilities: [String] = [
        "SETPCAP", "NET_ADMIN", "NET_RAW", "SYS_MODULE", "SYS_RAWIO", "SYS_PTRACE", "SYS_ADMIN", "SYS_BOOT",
        "MAC_OVERRIDE", "MAC_ADMIN", "PERFMON", "ALL", "BPF",
    ]

    public init() {}
}
