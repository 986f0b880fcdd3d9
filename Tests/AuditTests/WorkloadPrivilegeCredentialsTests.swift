@testable import Audit
import FoundationEssentials
import Inventory
import Testing

private let c0 = "spec.template.spec.containers[0]"

private func withEnv(_ name: String, _ env: [EnvVar]) -> Deployment {
    PrivilegeFixture.deployment(name, spec: PrivilegeFixture.spec([PrivilegeFixture.container { $0.env = env }]))
}

private func configMap(_ name: String, _ data: [String: String]) -> ConfigMap {
    ConfigMap(metadata: Fixture.meta(name), data: data)
}

/// One deployment with a literal password and an AWS key under a harmless name, one clean deployment
/// and one ConfigMap with a token: the shared fixture of C-0012 and C-0259.
private func leakySnapshot() -> ClusterSnapshot {
    Fixture.snapshot {
        $0.deployments = [
            withEnv("leaky", [
                EnvVar(name: "LOG_LEVEL", value: "debug"),
                EnvVar(name: "DB_PASSWORD", value: "hunter2"),
                EnvVar(name: "BACKUP_TARGET", value: "s3://AKIAABCDEFGHIJKLMNOP@bucket"),
            ]),
            withEnv("clean", [
                EnvVar(name: "DB_PASSWORD", valueFrom: EnvVarSource(secretKeyRef: KeyReference(name: "db", key: "password"))),
                EnvVar(name: "TLS_KEY_FILE", value: "/etc/tls/tls.key"),
                EnvVar(name: "API_TOKEN", value: ""),
            ]),
        ]
        $0.configMaps = [configMap("app-config", ["api_token": "abc123", "greeting": "hello"]), configMap("plain", ["color": "blue"])]
    }
}

@Suite struct CredentialsInConfigurationTests {
    let control = WorkloadPrivilegeControls.credentialsInConfiguration

    @Test func failsEnvAndConfigMapCredentials() {
        let result = Fixture.run(control, on: leakySnapshot())
        #expect(result.failed == [PrivilegeFixture.ref("ConfigMap", "app-config"), PrivilegeFixture.ref("Deployment", "leaky")])
        #expect(result.all.count == 4)
        #expect(result.verdicts.evidence(of: "leaky") == [
            "\(c0).env[1].name=DB_PASSWORD holds a literal value (name contains \"password\")",
            "\(c0).env[2].value matches sensitive value pattern \"AKIA[0-9A-Z]{16}\"",
        ])
        #expect(result.verdicts.evidence(of: "app-config") == ["data[api_token] holds a literal value (name contains \"token\")"])
    }

    /// References, file paths and empty values pass; so do names and values the allow-lists excuse.
    @Test func passesReferencesPathsAndAllowedEntries() {
        var config = ControlsConfig()
        config.sensitiveKeyNamesAllowed = ["db_password", "API_TOKEN"]
        config.sensitiveValuesAllowed = ["^s3://AKIA"]
        let result = Fixture.run(control, on: leakySnapshot(), config: config)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 4)
    }

    /// Private keys inside a multi-line ConfigMap value, base64-encoded AWS keys and `$(VAR)`
    /// references; evidence never carries the value.
    @Test func multiLineBase64AndReferences() {
        let pem = "server:\n  port: 443\ntls: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEowIBAAKCAQEA\n  -----END RSA PRIVATE KEY-----\n"
        let encoded = Data("id: AKIAABCDEFGHIJKLMNOP".utf8).base64EncodedString()
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.configMaps = [configMap("tls", ["config.yaml": pem, "blob": encoded])]
            $0.deployments = [withEnv("ref", [EnvVar(name: "DB_PASSWORD", value: "$(PASSWORD_FROM_SECRET)")])]
        })
        #expect(result.failed == [PrivilegeFixture.ref("ConfigMap", "tls")])
        #expect(result.verdicts.evidence(of: "tls") == [
            "data[blob] matches sensitive value pattern \"AKIA[0-9A-Z]{16}\" after base64 decoding",
            "data[config.yaml] matches sensitive value pattern \"BEGIN \\w+ PRIVATE KEY\"",
        ])
        #expect(result.verdicts.evidence(of: "tls")?.contains { $0.contains("MIIE") || $0.contains("AKIAABC") } == false)
    }

    @Test func invalidPatternSkipsWithItsName() {
        var config = ControlsConfig()
        config.sensitiveValues.append("([a-z")
        let result = Fixture.run(control, on: leakySnapshot(), config: config)
        #expect(result.skipped == "invalid regular expression in controls config sensitiveValues: \"([a-z\"")
        config = ControlsConfig()
        config.sensitiveValuesAllowed = ["*oops"]
        #expect(Fixture.run(control, on: leakySnapshot(), config: config).skipped
            == "invalid regular expression in controls config sensitiveValuesAllowed: \"*oops\"")
    }

    @Test func skippedWhenConfigMapsForbidden() {
        var snapshot = leakySnapshot()
        snapshot.collected.remove(.configmaps)
        snapshot.errors = [CollectionError(resource: "configmaps", reason: "forbidden", message: "no")]
        #expect(Fixture.run(control, on: snapshot).skipped == "forbidden: configmaps")
    }
}

@Suite struct CredentialsInEnvironmentTests {
    let control = WorkloadPrivilegeControls.credentialsInEnvironment

    /// The environment half of C-0012, with the same test: same workload evidence, no ConfigMaps.
    @Test func failsEnvOnlyWithC0012Evidence() {
        let snapshot = leakySnapshot()
        let result = Fixture.run(control, on: snapshot)
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "leaky")])
        #expect(result.all.allSatisfy { $0.kind == "Deployment" })
        #expect(result.verdicts.evidence(of: "leaky")
            == Fixture.run(WorkloadPrivilegeControls.credentialsInConfiguration, on: snapshot).verdicts.evidence(of: "leaky"))
    }

    @Test func passesSecretReferences() {
        let result = Fixture.run(control, on: Fixture.snapshot {
            $0.deployments = [withEnv("web", [EnvVar(name: "TOKEN", valueFrom: EnvVarSource(secretKeyRef: KeyReference(name: "api", key: "token")))])]
        })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    /// Value patterns match case-insensitively (as Kubescape's env rule lower-cases both sides), and
    /// an init container's env counts.
    @Test func caseInsensitiveValuesInInitContainers() {
        let spec = PrivilegeFixture.spec([Fixture.container()]) {
            $0.initContainers = [PrivilegeFixture.container("fetch") { $0.env = [EnvVar(name: "HEADER", value: "authorization: bearer abc.def")] }]
        }
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [PrivilegeFixture.deployment("web", spec: spec)] })
        #expect(result.verdicts.evidence(of: "web") == [
            "spec.template.spec.initContainers[0].env[0].value matches sensitive value pattern \"Bearer\"",
        ])
    }

    /// ConfigMaps are not read, so forbidding them does not skip the environment variant.
    @Test func doesNotNeedConfigMaps() {
        var snapshot = leakySnapshot()
        snapshot.collected.remove(.configmaps)
        #expect(Fixture.run(control, on: snapshot).skipped == nil)
    }
}

@Suite struct CredentialDetectorTests {
    @Test func leadingLiterals() {
        func literal(_ pattern: String) -> String? {
            CredentialDetector.leadingLiteral(of: pattern).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(literal("AKIA[0-9A-Z]{16}") == "akia")
        #expect(literal("BEGIN \\w+ PRIVATE KEY") == "begin ")
        #expect(literal("PRIVATE KEY") == "private key")
        #expect(literal("colou?r") == "colo")
        #expect(literal("ab|cd") == nil)
        #expect(literal("(?i)token") == nil)
        #expect(literal(".*secret") == nil)
    }

    /// Patterns without a literal prefix still match, by a full search.
    @Test func patternsWithoutLiteralPrefix() throws {
        var config = ControlsConfig()
        config.sensitiveKeyNames = []
        config.sensitiveValues = ["[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}"]
        let detector = try CredentialDetector(config)
        #expect(detector.finding(name: "CARD", value: "card 1234-5678-9012-3456 ok") == .value(pattern: config.sensitiveValues[0], base64: false))
        #expect(detector.finding(name: "CARD", value: "1234-5678") == nil)
    }

    /// A large ConfigMap value is scanned without running every regex over every byte.
    @Test func largeValueWithKeyAtTheEnd() throws {
        let detector = try CredentialDetector(ControlsConfig())
        let value = String(repeating: "{\"panel\": \"cpu\", \"expr\": \"rate(x[5m])\"}\n", count: 5_000) + "ghp_" + String(repeating: "a", count: 36)
        #expect(detector.finding(name: "dashboard.json", value: value) == .value(pattern: "ghp_[0-9A-Za-z]{36}", base64: false))
    }
}

/// A CA bundle is public: its random base64 body must not match short patterns such as "JWT" or
/// "Bearer" (it did in kube-root-ca.crt of about one test cluster in ten), but a private key next to a
/// certificate, or a pattern after it, still counts.
@Suite struct CredentialDetectorCertificateTests {
    static let body = "MIIC5zCCAc+gAwIBAgIBATANJWTkqhkiG9w0BearerQsFADAVMRMwEQYDVQQDEwptaW5p"
    static let certificate = "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"

    @Test func certificateBodyIsNotACredential() throws {
        let detector = try CredentialDetector(ControlsConfig())
        #expect(detector.finding(name: "ca.crt", value: Self.certificate + Self.certificate) == nil)
        let encoded = Data(Self.certificate.utf8).base64EncodedString()
        #expect(detector.finding(name: "ca.crt", value: encoded) == nil)
    }

    @Test func privateKeyBesideACertificateCounts() throws {
        let detector = try CredentialDetector(ControlsConfig())
        let bundle = Self.certificate + "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
        #expect(detector.finding(name: "tls.pem", value: bundle) == .value(pattern: "BEGIN \\w+ PRIVATE KEY", base64: false))
    }

    /// The same text outside a certificate, or in a certificate that never ends, still matches.
    @Test func patternOutsideOrInAnUnterminatedCertificateCounts() throws {
        let detector = try CredentialDetector(ControlsConfig())
        #expect(detector.finding(name: "note", value: Self.certificate + "Authorization: Bearer abc") == .value(pattern: "Bearer", base64: false))
        #expect(detector.finding(name: "ca.crt", value: "-----BEGIN CERTIFICATE-----\n\(Self.body)\n") == .value(pattern: "JWT", base64: false))
    }
}

@Suite struct SecretsInEnvironmentTests {
    let control = WorkloadPrivilegeControls.secretsInEnvironment

    @Test func failsSecretKeyRefAndEnvFrom() {
        let container = PrivilegeFixture.container {
            $0.env = [EnvVar(name: "MODE", value: "prod"), EnvVar(name: "DB_PASSWORD", valueFrom: EnvVarSource(secretKeyRef: KeyReference(name: "db", key: "password")))]
            $0.envFrom = [EnvFromSource(configMapRef: NameReference(name: "settings")), EnvFromSource(secretRef: NameReference(name: "api"))]
        }
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [PrivilegeFixture.deployment("web", spec: PrivilegeFixture.spec([container]))] })
        #expect(result.failed == [PrivilegeFixture.ref("Deployment", "web")])
        #expect(result.verdicts.evidence(of: "web") == [
            "\(c0).env[1].valueFrom.secretKeyRef.name=db",
            "\(c0).envFrom[1].secretRef.name=api",
        ])
    }

    @Test func passesConfigMapReferences() {
        let container = PrivilegeFixture.container {
            $0.env = [EnvVar(name: "MODE", valueFrom: EnvVarSource(configMapKeyRef: KeyReference(name: "settings", key: "mode")))]
            $0.envFrom = [EnvFromSource(configMapRef: NameReference(name: "settings"))]
        }
        let result = Fixture.run(control, on: Fixture.snapshot { $0.deployments = [PrivilegeFixture.deployment("web", spec: PrivilegeFixture.spec([container]))] })
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }

    @Test func ephemeralContainerOfAPodCounts() {
        var pod = PrivilegeFixture.pod("debug", spec: PrivilegeFixture.spec([Fixture.container()]))
        pod.spec.ephemeralContainers = [PrivilegeFixture.container("shell") { $0.envFrom = [EnvFromSource(secretRef: NameReference(name: "root-creds"))] }]
        let result = Fixture.run(control, on: Fixture.snapshot { $0.pods = [pod] })
        #expect(result.verdicts.evidence(of: "debug") == ["spec.ephemeralContainers[0].envFrom[0].secretRef.name=root-creds"])
    }
}
