import Documents
import FoundationEssentials

extension Kubeconfig {
    /// Reads one kubeconfig file. Errors name the file, line, column and field.
    public static func load(path: String) throws(ConfigError) -> Kubeconfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the file (missing or not readable)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigError(file: path, message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path, baseDirectory: directory(of: path))
    }

    public static func parse(_ text: String, file: String, baseDirectory: String) throws(ConfigError) -> Kubeconfig {
        let documents: [YAMLNode]
        do {
            documents = try YAML.parseDocuments(text, file: file)
        } catch {
            throw ConfigError(file: file, line: error.line, column: error.column, message: error.message)
        }
        var config = Kubeconfig()
        config.sources = [file]
        // An empty file is a valid, empty kubeconfig, as kubectl treats it.
        guard let root = documents.first, !root.isNull else { return config }
        let reader = FieldReader(file: file, baseDirectory: baseDirectory)
        try reader.expectMapping(root, field: "(top level)")

        for (index, entry) in try reader.namedEntries(root["clusters"], field: "clusters").enumerated() {
            let field = "clusters[\(index)].cluster"
            let node = entry.value
            var cluster = Cluster()
            cluster.server = try reader.string(node?["server"], field: "\(field).server")
            cluster.certificateAuthority = try reader.path(node?["certificate-authority"], field: "\(field).certificate-authority")
            cluster.certificateAuthorityData = try reader.base64(node?["certificate-authority-data"], field: "\(field).certificate-authority-data")
            cluster.insecureSkipTLSVerify = try reader.bool(node?["insecure-skip-tls-verify"], field: "\(field).insecure-skip-tls-verify") ?? false
            cluster.tlsServerName = try reader.string(node?["tls-server-name"], field: "\(field).tls-server-name")
            cluster.proxyURL = try reader.string(node?["proxy-url"], field: "\(field).proxy-url")
            if config.clusters[entry.name] == nil { config.clusters[entry.name] = cluster }
        }
        for (index, entry) in try reader.namedEntries(root["users"], field: "users").enumerated() {
            let field = "users[\(index)].user"
            let node = entry.value
            var user = User()
            user.token = try reader.string(node?["token"], field: "\(field).token")
            user.tokenFile = try reader.path(node?["tokenFile"], field: "\(field).tokenFile")
            user.clientCertificate = try reader.path(node?["client-certificate"], field: "\(field).client-certificate")
            user.clientCertificateData = try reader.base64(node?["client-certificate-data"], field: "\(field).client-certificate-data")
            user.clientKey = try reader.path(node?["client-key"], field: "\(field).client-key")
            user.clientKeyData = try reader.base64(node?["client-key-data"], field: "\(field).client-key-data")
            user.username = try reader.string(node?["username"], field: "\(field).username")
            user.password = try reader.string(node?["password"], field: "\(field).password")
            if let exec = node?["exec"], !exec.isNull {
                user.exec = try reader.exec(exec, field: "\(field).exec")
            }
            if let provider = node?["auth-provider"], !provider.isNull {
                user.authProvider = try reader.string(provider["name"], field: "\(field).auth-provider.name") ?? "(unnamed)"
            }
            if config.users[entry.name] == nil { config.users[entry.name] = user }
        }
        for (index, entry) in try reader.namedEntries(root["contexts"], field: "contexts").enumerated() {
            let field = "contexts[\(index)].context"
            guard let cluster = try reader.string(entry.value?["cluster"], field: "\(field).cluster") else {
                throw reader.error(entry.value ?? root, field: "\(field).cluster", "a context needs a cluster")
            }
            let context = Context(
                cluster: cluster, user: try reader.string(entry.value?["user"], field: "\(field).user"),
                namespace: try reader.string(entry.value?["namespace"], field: "\(field).namespace"))
            if config.contexts[entry.name] == nil { config.contexts[entry.name] = context }
        }
        config.currentContext = try reader.string(root["current-context"], field: "current-context")
        return config
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Typed access to YAML nodes that turns every mismatch into a ConfigError with position and field.
struct FieldReader {
    let file: String
    let baseDirectory: String

    func error(_ node: YAMLNode, field: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark.line, column: node.mark.column, field: field, message: message)
    }

    func expectMapping(_ node: YAMLNode, field: String) throws(ConfigError) {
        guard node.pairs != nil else { throw error(node, field: field, "expected a mapping") }
    }

    func string(_ node: YAMLNode?, field: String) throws(ConfigError) -> String? {
        guard let node, !node.isNull else { return nil }
        guard let text = node.string else { throw error(node, field: field, "expected a string") }
        return text
    }

    func bool(_ node: YAMLNode?, field: String) throws(ConfigError) -> Bool? {
        guard let node, !node.isNull else { return nil }
        if case .bool(let value) = node.resolved() { return value }
        throw error(node, field: field, "expected true or false")
    }

    /// A file path, made absolute against the kubeconfig's folder as kubectl does.
    func path(_ node: YAMLNode?, field: String) throws(ConfigError) -> String? {
        guard let text = try string(node, field: field), !text.isEmpty else { return nil }
        return Self.resolve(text, against: baseDirectory)
    }

    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home = ProcessEnvironment.home { return home + path.dropFirst(1) }
        return directory + "/" + path
    }

    func base64(_ node: YAMLNode?, field: String) throws(ConfigError) -> Data? {
        guard let node, let text = try string(node, field: field), !text.isEmpty else { return nil }
        let compact = String(text.filter { !$0.isWhitespace })
        guard let data = Data(base64Encoded: compact) else {
            throw error(node, field: field, "not valid base64")
        }
        return data
    }

    /// `- name: x` + `cluster:`/`user:`/`context:` lists; returns the name and the inner mapping.
    func namedEntries(_ node: YAMLNode?, field: String) throws(ConfigError) -> [(name: String, value: YAMLNode?)] {
        guard let node, !node.isNull else { return [] }
        guard let items = node.sequence else { throw error(node, field: field, "expected a list") }
        let inner = String(field.dropLast())  // clusters → cluster
        var entries: [(String, YAMLNode?)] = []
        for (index, item) in items.enumerated() {
            try expectMapping(item, field: "\(field)[\(index)]")
            guard let name = try string(item["name"], field: "\(field)[\(index)].name"), !name.isEmpty else {
                throw error(item, field: "\(field)[\(index)].name", "every entry needs a name")
            }
            let value = item[inner]
            if let value, !value.isNull { try expectMapping(value, field: "\(field)[\(index)].\(inner)") }
            entries.append((name, value))
        }
        return entries
    }

    func exec(_ node: YAMLNode, field: String) throws(ConfigError) -> Kubeconfig.ExecConfig {
        try expectMapping(node, field: field)
        guard let command = try string(node["command"], field: "\(field).command"), !command.isEmpty else {
            throw error(node, field: "\(field).command", "an exec plugin needs a command")
        }
        let apiVersion = try string(node["apiVersion"], field: "\(field).apiVersion") ?? ""
        let supported = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
        guard supported.contains(apiVersion) else {
            throw error(
                node["apiVersion"] ?? node, field: "\(field).apiVersion",
                "unsupported exec apiVersion \"\(apiVersion)\"; use client.authentication.k8s.io/v1 or v1beta1")
        }
        var exec = Kubeconfig.ExecConfig(apiVersion: apiVersion, command: command, baseDirectory: baseDirectory)
        if let args = node["args"], !args.isNull {
            guard let items = args.sequence else { throw error(args, field: "\(field).args", "expected a list") }
            for (index, item) in items.enumerated() {
                guard let arg = try string(item, field: "\(field).args[\(index)]") else {
                    throw error(item, field: "\(field).args[\(index)]", "expected a string")
                }
                exec.args.append(arg)
            }
        }
        if let env = node["env"], !env.isNull {
            guard let items = env.sequence else { throw error(env, field: "\(field).env", "expected a list") }
            for (index, item) in items.enumerated() {
                guard let name = try string(item["name"], field: "\(field).env[\(index)].name") else {
                    throw error(item, field: "\(field).env[\(index)].name", "an env entry needs a name")
                }
                exec.env.append((name, try string(item["value"], field: "\(field).env[\(index)].value") ?? ""))
            }
        }
        exec.installHint = try string(node["installHint"], field: "\(field).installHint")
        exec.provideClusterInfo = try bool(node["provideClusterInfo"], field: "\(field).provideClusterInfo") ?? false
        if let mode = try string(node["interactiveMode"], field: "\(field).interactiveMode") {
            guard ["Never", "IfAvailable", "Always"].contains(mode) else {
                throw error(
                    node["interactiveMode"] ?? node, field: "\(field).interactiveMode",
                    "unknown interactiveMode \"\(mode)\"; use Never, IfAvailable or Always")
            }
            exec.interactiveMode = mode
        }
        return exec
    }
}
