import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// client-go's exec credential protocol: run the plugin, read an ExecCredential from its stdout.
struct ExecPlugin: Sendable {
    struct Credential: Sendable {
        var token: String?
        var clientCertificatePEM: Data?
        var clientKeyPEM: Data?
        var expiration: Date?
    }

    let config: Kubeconfig.ExecConfig
    /// Passed to the plugin in KUBERNETES_EXEC_INFO when the kubeconfig asks for provideClusterInfo.
    let server: String
    let tls: TLSOptions
    let environment: [String: String]

    func run() throws(APIError) -> Credential {
        let executable = try resolveCommand()
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo()
        let output: Data
        do {
            output = try ChildProcess.run(
                executable: executable, arguments: [config.command] + config.args, environment: env,
                limits: isInteractive ? .interactive : .nonInteractive)
        } catch {
            throw .credentials("exec plugin \(config.command): \(error)")
        }
        return try parse(output)
    }

    /// As client-go decides it: the plugin may prompt when the kubeconfig allows it and stdin is a
    /// terminal. Only then does it see our stdin and get more than a minute.
    var isInteractive: Bool {
        config.interactiveMode != "Never" && isatty(0) == 1
    }

    private func resolveCommand() throws(APIError) -> String {
        let command = config.command
        if command.contains("/") {
            let path = FieldReader.resolve(command, against: config.baseDirectory)
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        } else {
            for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
                let path = "\(directory)/\(command)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        var message = "exec plugin command \"\(command)\" was not found"
        if let hint = config.installHint, !hint.isEmpty { message += ". \(hint)" }
        throw .credentials(message)
    }

    private func execInfo() -> String {
        struct ClusterInfo: Encodable {
            var server: String
            var certificateAuthorityData: String?
            var insecureSkipTLSVerify: Bool
            var tlsServerName: String?
            enum CodingKeys: String, CodingKey {
                case server, certificateAuthorityData = "certificate-authority-data"
                case insecureSkipTLSVerify = "insecure-skip-tls-verify", tlsServerName = "tls-server-name"
            }
        }
        struct Spec: Encodable {
            var interactive: Bool
            var cluster: ClusterInfo?
        }
        struct Info: Encodable {
            var apiVersion: String
            var kind = "ExecCredential"
            var spec: Spec
        }
        var spec = Spec(interactive: isInteractive)
        if config.provideClusterInfo {
            spec.cluster = ClusterInfo(
                server: server, certificateAuthorityData: tls.certificateAuthorityPEM?.base64EncodedString(),
                insecureSkipTLSVerify: tls.insecureSkipVerify, tlsServerName: tls.serverName)
        }
        let data = (try? JSONEncoder().encode(Info(apiVersion: config.apiVersion, spec: spec))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func parse(_ output: Data) throws(APIError) -> Credential {
        struct Response: Decodable {
            struct Status: Decodable {
                var token: String?
                var clientCertificateData: String?
                var clientKeyData: String?
                var expirationTimestamp: String?
            }
            var apiVersion: String?
            var kind: String?
            var status: Status?
        }
        let response: Response
        do {
            response = try JSONDecoder().decode(Response.self, from: output)
        } catch {
            throw .credentials("exec plugin \(config.command) did not print an ExecCredential JSON object")
        }
        guard response.kind == "ExecCredential" else {
            throw .credentials("exec plugin \(config.command) printed kind \"\(response.kind ?? "")\", expected ExecCredential")
        }
        guard response.apiVersion == config.apiVersion else {
            throw .credentials(
                "exec plugin \(config.command) answered with apiVersion \"\(response.apiVersion ?? "")\", the kubeconfig asked for \"\(config.apiVersion)\"")
        }
        guard let status = response.status else {
            throw .credentials("exec plugin \(config.command) returned no status")
        }
        var credential = Credential(
            token: status.token, clientCertificatePEM: status.clientCertificateData.map { Data($0.utf8) },
            clientKeyPEM: status.clientKeyData.map { Data($0.utf8) })
        if let timestamp = status.expirationTimestamp {
            guard let date = try? Date(timestamp, strategy: .iso8601) else {
                throw .credentials("exec plugin \(config.command) returned an unreadable expirationTimestamp")
            }
            credential.expiration = date
        }
        if credential.token == nil && credential.clientCertificatePEM == nil {
            throw .credentials("exec plugin \(config.command) returned neither a token nor a client certificate")
        }
        if (credential.clientCertificatePEM == nil) != (credential.clientKeyPEM == nil) {
            throw .credentials("exec plugin \(config.command) returned a client certificate without its key, or a key without its certificate")
        }
        return credential
    }
}
