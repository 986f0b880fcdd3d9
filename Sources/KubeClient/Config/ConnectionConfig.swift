import Documents
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Everything needed to talk to one API server: where, how to trust it, and who we are.
public struct ConnectionConfig: Sendable {
    public enum Credentials: Sendable {
        case none
        case token(String)
        /// Re-read when the file changes: bound ServiceAccount tokens rotate.
        case tokenFile(String)
        case basic(username: String, password: String)
        case exec(Kubeconfig.ExecConfig)
    }

    /// Base URL without a trailing slash, e.g. `https://127.0.0.1:6443`.
    public var server: String
    public var contextName: String?
    public var namespace: String?
    public var tls: TLSOptions
    public var proxyURL: String?
    public var credentials: Credentials
    /// Where the configuration came from, for messages ("kubeconfig /home/u/.kube/config", "in-cluster").
    public var origin: String
    /// The kubeconfig files it was read from (none in-cluster).
    public var kubeconfigFiles: [String] = []

    /// Those of `kubeconfigFiles` that group or others may read: they hold credentials.
    public var kubeconfigsReadableByOthers: [(path: String, mode: Int)] {
        kubeconfigFiles.compactMap { path in
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & 0o044 != 0 else { return nil }
            return (path, Int(info.st_mode & 0o777))
        }
    }

    /// `server` as messages and reports show it: without credentials in the URL.
    public var displayServer: String { URLText.withoutUserinfo(server) }

    public init(
        server: String, contextName: String? = nil, namespace: String? = nil, tls: TLSOptions = TLSOptions(),
        proxyURL: String? = nil, credentials: Credentials = .none, origin: String
    ) {
        self.server = server
        self.contextName = contextName
        self.namespace = namespace
        self.tls = tls
        self.proxyURL = proxyURL
        self.credentials = credentials
        self.origin = origin
    }
}

public enum ConfigLoader {
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// kubectl's loading rules: `--kubeconfig`, else every file of `KUBECONFIG` merged, else
    /// `~/.kube/config`, else the in-cluster ServiceAccount when `KUBERNETES_SERVICE_HOST` is set.
    public static func load(
        kubeconfigPath: String?, context: String?, environment: [String: String] = ProcessEnvironment.current,
        serviceAccountDirectory: String = serviceAccountDirectory
    ) throws(ConfigError) -> ConnectionConfig {
        if let kubeconfigPath {
            var config = try connection(from: Kubeconfig.load(path: kubeconfigPath), context: context)
            config.kubeconfigFiles = [kubeconfigPath]
            return config
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty {
                var merged = Kubeconfig()
                for path in existing { merged.merge(try Kubeconfig.load(path: path)) }
                var config = try connection(from: merged, context: context)
                config.kubeconfigFiles = existing
                return config
            }
        }
        if let home = environment["HOME"], FileManager.default.fileExists(atPath: home + "/.kube/config") {
            var config = try connection(from: Kubeconfig.load(path: home + "/.kube/config"), context: context)
            config.kubeconfigFiles = [home + "/.kube/config"]
            return config
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment, directory: serviceAccountDirectory)
        }
        throw ConfigError(
            file: nil,
            message: "no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config) and not running inside a cluster")
    }

    /// The pod's ServiceAccount: its token (re-read as it rotates), the cluster CA and namespace.
    public static func inCluster(environment: [String: String], directory: String) throws(ConfigError) -> ConnectionConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"],
            !host.isEmpty, !port.isEmpty
        else {
            throw ConfigError(file: nil, message: "in-cluster configuration needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT")
        }
        let tokenPath = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw ConfigError(file: tokenPath, message: "the ServiceAccount token is missing or unreadable")
        }
        let caPath = directory + "/ca.crt"
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw ConfigError(file: caPath, message: "the cluster CA certificate is missing or unreadable")
        }
        let namespace = FileManager.default.contents(atPath: directory + "/namespace")
            .flatMap { String(decoding: $0, as: UTF8.self).split(whereSeparator: \.isWhitespace).first.map(String.init) }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ConnectionConfig(
            server: "https://\(hostPart):\(port)", contextName: nil, namespace: namespace,
            tls: TLSOptions(certificateAuthorityPEM: ca), credentials: .tokenFile(tokenPath), origin: "in-cluster")
    }

    /// Picks the context and turns its cluster and user into a connection, reading referenced files.
    public static func connection(from config: Kubeconfig, context requested: String?) throws(ConfigError) -> ConnectionConfig {
        let file = config.sources.joined(separator: ":")
        guard let contextName = requested ?? config.currentContext, !contextName.isEmpty else {
            throw ConfigError(file: file, field: "current-context", message: "no current context is set; pass --context NAME")
        }
        guard let context = config.contexts[contextName] else {
            let known = config.contexts.keys.sorted().joined(separator: ", ")
            throw ConfigError(
                file: file, field: "contexts",
                message: "context \"\(contextName)\" does not exist (known: \(known.isEmpty ? "none" : known))")
        }
        guard let cluster = config.clusters[context.cluster] else {
            throw ConfigError(file: file, field: "clusters", message: "cluster \"\(context.cluster)\" of context \"\(contextName)\" does not exist")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw ConfigError(file: file, field: "clusters[\(context.cluster)].server", message: "the cluster has no server URL")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw ConfigError(file: file, field: "clusters[\(context.cluster)].server", message: "\"\(URLText.withoutUserinfo(server))\" is not an http(s) URL")
        }
        let user: Kubeconfig.User
        if let userName = context.user, !userName.isEmpty {
            guard let found = config.users[userName] else {
                throw ConfigError(file: file, field: "users", message: "user \"\(userName)\" of context \"\(contextName)\" does not exist")
            }
            user = found
        } else {
            user = Kubeconfig.User()
        }
        if let provider = user.authProvider {
            throw ConfigError(
                file: file, field: "users[\(context.user ?? "")].auth-provider",
                message: "auth-provider \"\(provider)\" is not supported (client-go removed it); use an exec credential plugin such as gke-gcloud-auth-plugin or kubelogin")
        }

        var tls = TLSOptions()
        tls.insecureSkipVerify = cluster.insecureSkipTLSVerify
        tls.serverName = cluster.tlsServerName
        tls.certificateAuthorityPEM = try material(
            cluster.certificateAuthorityData, orFile: cluster.certificateAuthority, field: "certificate-authority")
        tls.clientCertificatePEM = try material(
            user.clientCertificateData, orFile: user.clientCertificate, field: "client-certificate")
        tls.clientKeyPEM = try material(user.clientKeyData, orFile: user.clientKey, field: "client-key")
        if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
            throw ConfigError(
                file: file, field: "users[\(context.user ?? "")]",
                message: "a client certificate needs both client-certificate(-data) and client-key(-data)")
        }

        let credentials: ConnectionConfig.Credentials
        if let token = user.token, !token.isEmpty {
            credentials = .token(token)
        } else if let tokenFile = user.tokenFile {
            credentials = .tokenFile(tokenFile)
        } else if let exec = user.exec {
            credentials = .exec(exec)
        } else if let username = user.username, let password = user.password {
            credentials = .basic(username: username, password: password)
        } else {
            credentials = .none
        }
        return ConnectionConfig(
            server: String(server.reversed().drop { $0 == "/" }.reversed()), contextName: contextName,
            namespace: context.namespace, tls: tls, proxyURL: cluster.proxyURL, credentials: credentials,
            origin: "kubeconfig \(file)")
    }

    /// Inline `-data` wins over the file, as in kubectl.
    static func material(_ data: Data?, orFile path: String?, field: String) throws(ConfigError) -> Data? {
        if let data { return data }
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, field: field, message: "cannot read the file (missing or not readable)")
        }
        return data
    }
}
