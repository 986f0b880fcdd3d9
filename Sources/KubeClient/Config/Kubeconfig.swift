import FoundationEssentials

/// A kubeconfig file as kubectl reads it. Paths inside it are already resolved against the folder
/// of the file that named them, so files can be merged without losing that.
public struct Kubeconfig: Sendable, Hashable {
    public struct Cluster: Sendable, Hashable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: Data?
        public var insecureSkipTLSVerify = false
        public var tlsServerName: String?
        public var proxyURL: String?
        public init() {}
    }

    public struct ExecConfig: Sendable, Hashable {
        public var apiVersion: String
        public var command: String
        public var args: [String] = []
        public var env: [(name: String, value: String)] = []
        public var installHint: String?
        public var provideClusterInfo = false
        /// Never, IfAvailable (client-go's default) or Always: whether the plugin may prompt the user.
        public var interactiveMode = "IfAvailable"
        /// The folder of the kubeconfig that named the command: a relative command path resolves there.
        public var baseDirectory: String

        public static func == (lhs: ExecConfig, rhs: ExecConfig) -> Bool {
            lhs.apiVersion == rhs.apiVersion && lhs.command == rhs.command && lhs.args == rhs.args
                && lhs.env.map(\.name) == rhs.env.map(\.name) && lhs.env.map(\.value) == rhs.env.map(\.value)
                && lhs.installHint == rhs.installHint && lhs.provideClusterInfo == rhs.provideClusterInfo
                && lhs.interactiveMode == rhs.interactiveMode
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(command)
            hasher.combine(args)
        }
    }

    public struct User: Sendable, Hashable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: Data?
        public var clientKey: String?
        public var clientKeyData: Data?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?
        /// Name of an `auth-provider` entry; unsupported (client-go removed them in 1.26).
        public var authProvider: String?
        public init() {}
    }

    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?
    /// Where each entry came from, for error messages.
    public var sources: [String] = []

    public init() {}

    /// kubectl's merge of a KUBECONFIG list: the first file that defines a name wins, and the first
    /// non-empty current-context wins.
    public mutating func merge(_ later: Kubeconfig) {
        clusters.merge(later.clusters) { first, _ in first }
        users.merge(later.users) { first, _ in first }
        contexts.merge(later.contexts) { first, _ in first }
        if currentContext?.isEmpty ?? true { currentContext = later.currentContext }
        sources += later.sources
    }
}
