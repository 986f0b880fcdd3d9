import FoundationEssentials

/// Produces the Authorization header for each request and refreshes it when it may have changed:
/// a token file that was rewritten (bound tokens rotate), an exec credential past its expiry, or any
/// refreshable credential after a 401.
actor CredentialProvider {
    private let credentials: ConnectionConfig.Credentials
    private let plugin: ExecPlugin?
    private var execCredential: (credential: ExecPlugin.Credential, fetched: ContinuousClock.Instant)?
    /// How long a credential is used before its expiry may run the plugin again: one that arrives
    /// already expired (a wrong clock, a broken plugin) must not start a process for every request.
    private let minimumReuse: Duration
    private var fileToken: (modified: Date?, token: String)?

    init(config: ConnectionConfig, environment: [String: String], minimumReuse: Duration = .seconds(30)) {
        credentials = config.credentials
        self.minimumReuse = minimumReuse
        if case .exec(let exec) = config.credentials {
            plugin = ExecPlugin(config: exec, server: config.server, tls: config.tls, environment: environment)
        } else {
            plugin = nil
        }
    }

    /// The exec plugin's client certificate and key, when it returns those instead of a token: the
    /// transport needs them before the first request.
    func clientCertificate() throws(APIError) -> (certificate: Data, key: Data)? {
        guard plugin != nil else { return nil }
        let credential = try currentExecCredential(refresh: false)
        guard let certificate = credential.clientCertificatePEM, let key = credential.clientKeyPEM else { return nil }
        return (certificate, key)
    }

    func authorization(refresh: Bool) throws(APIError) -> String? {
        switch credentials {
        case .none: return nil
        case .token(let token): return "Bearer \(token)"
        case .basic(let username, let password):
            return "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())"
        case .tokenFile(let path): return "Bearer \(try token(fromFile: path, refresh: refresh))"
        case .exec: return try currentExecCredential(refresh: refresh).token.map { "Bearer \($0)" }
        }
    }

    var isRefreshable: Bool {
        switch credentials {
        case .tokenFile, .exec: true
        default: false
        }
    }

    private func token(fromFile path: String, refresh: Bool) throws(APIError) -> String {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        if !refresh, let cached = fileToken, cached.modified == modified { return cached.token }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentials("cannot read the token file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
        guard !token.isEmpty else { throw .credentials("the token file \(path) is empty") }
        fileToken = (modified, token)
        return token
    }

    private func currentExecCredential(refresh: Bool) throws(APIError) -> ExecPlugin.Credential {
        if !refresh, let (cached, fetched) = execCredential {
            // Refresh a little early so a request does not race the expiry; a 401 still refreshes at once.
            guard let expiration = cached.expiration, expiration.timeIntervalSinceNow < 10,
                ContinuousClock.now - fetched >= minimumReuse
            else { return cached }
        }
        guard let plugin else { throw .credentials("no exec plugin configured") }
        let credential = try plugin.run()
        execCredential = (credential, ContinuousClock.now)
        return credential
    }
}
