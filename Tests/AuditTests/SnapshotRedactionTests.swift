@testable import Audit
import FoundationEssentials
import Inventory
import Testing

/// Issue 11, defect 3: `lookout collect` keeps credential-looking env and ConfigMap values out of its
/// snapshot, and a scan of the saved snapshot judges them as a live scan does.
@Suite struct SnapshotRedactionTests {
    static let secrets = [
        "hunter2", "s3://AKIAABCDEFGHIJKLMNOP@bucket", "abc123", "internal-build-7731",
        Data("id: AKIAQRSTUVWXYZABCDEF".utf8).base64EncodedString(), "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n",
    ]

    static func deployment(_ name: String, _ env: [EnvVar]) -> Deployment {
        PrivilegeFixture.deployment(name, spec: PrivilegeFixture.spec([PrivilegeFixture.container { $0.env = env }]))
    }

    /// Every way a value is or is not a credential: by name, by pattern, after base64 decoding, excused
    /// by the allow-lists below, references, paths and harmless values; in workloads and ConfigMaps.
    static func snapshot() -> ClusterSnapshot {
        Fixture.snapshot {
            $0.deployments = [
                deployment("leaky", [
                    EnvVar(name: "LOG_LEVEL", value: "debug"),
                    EnvVar(name: "DB_PASSWORD", value: secrets[0]),
                    EnvVar(name: "BACKUP_TARGET", value: secrets[1]),
                    EnvVar(name: "BUILD_TOKEN", value: secrets[3]),
                ]),
                deployment("clean", [
                    EnvVar(name: "DB_PASSWORD", valueFrom: EnvVarSource(secretKeyRef: KeyReference(name: "db", key: "password"))),
                    EnvVar(name: "TLS_KEY_FILE", value: "/etc/tls/tls.key"),
                    EnvVar(name: "API_TOKEN", value: ""),
                    EnvVar(name: "SECRET_REF", value: "$(FROM_SECRET)"),
                ]),
            ]
            $0.pods = [Fixture.pod("bare", containers: [PrivilegeFixture.container { $0.env = [EnvVar(name: "SEED", value: secrets[4])] }])]
            $0.configMaps = [
                ConfigMap(metadata: Fixture.meta("app-config"), data: ["api_token": secrets[2], "greeting": "hello", "tls": secrets[5]]),
                ConfigMap(metadata: Fixture.meta("plain"), data: ["color": "blue"]),
            ]
        }
    }

    static var allowing: ControlsConfig {
        var config = ControlsConfig()
        config.sensitiveKeyNamesAllowed = ["db_password"]
        config.sensitiveValuesAllowed = ["^s3://AKIA"]
        return config
    }

    /// The snapshot as `collect` saves it and `scan --from` reads it back.
    static func saved(_ snapshot: ClusterSnapshot, collectedWith config: ControlsConfig = ControlsConfig()) throws -> (ClusterSnapshot, String) {
        var redacted = snapshot
        try SnapshotRedactor(config: config).redact(&redacted)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(redacted)
        return (try JSONDecoder().decode(ClusterSnapshot.self, from: data), String(decoding: data, as: UTF8.self))
    }

    static func outcome(_ control: Control, _ snapshot: ClusterSnapshot, _ config: ControlsConfig) -> String {
        String(describing: control.run(in: AuditContext(snapshot: snapshot, config: config)))
    }

    @Test func noSecretReachesTheSavedSnapshot() throws {
        let (_, text) = try Self.saved(Self.snapshot(), collectedWith: Self.allowing)
        for secret in Self.secrets {
            // The PEM's lines are escaped in JSON: its body is enough.
            #expect(!text.contains(secret.split(separator: "\n").last.map(String.init) ?? secret), "\(secret)")
        }
        // What holds no credential stays as it was, for the controls that read it.
        for kept in ["debug", "/etc/tls/tls.key", "$(FROM_SECRET)", "hello", "blue"] { #expect(text.contains(kept), "\(kept)") }
    }

    /// Every control of the catalogue, under the default configuration and one with allow-lists (given to
    /// collect and scan alike), gives the same outcome on the saved snapshot as on the live one.
    @Test(arguments: [false, true]) func everyControlJudgesTheSavedSnapshotAsTheLiveOne(allowLists: Bool) throws {
        let config = allowLists ? Self.allowing : ControlsConfig()
        let live = Self.snapshot()
        let (saved, _) = try Self.saved(live, collectedWith: config)
        for control in Catalogue.controls {
            #expect(Self.outcome(control, saved, config) == Self.outcome(control, live, config), "\(control.id)")
        }
        let c0012 = Fixture.run(WorkloadPrivilegeControls.credentialsInConfiguration, on: saved, config: config)
        #expect(c0012.failed.count == 3)
    }

    /// A pattern only the collect's own controls configuration names redacts what it matches; the scan
    /// with that configuration judges it.
    @Test func theCollectsControlsConfigDecidesToo() throws {
        var config = ControlsConfig()
        config.sensitiveValues.append("internal-build-[0-9]+")
        config.sensitiveKeyNames = ["passphrase"]
        let live = Fixture.snapshot { $0.deployments = [Self.deployment("x", [EnvVar(name: "BUILD", value: Self.secrets[3]), EnvVar(name: "PASSPHRASE", value: "p")])] }
        let (saved, text) = try Self.saved(live, collectedWith: config)
        #expect(!text.contains(Self.secrets[3]) && !text.contains("\"p\""))
        let control = WorkloadPrivilegeControls.credentialsInEnvironment
        #expect(Self.outcome(control, saved, config) == Self.outcome(control, live, config))
        #expect(Fixture.run(control, on: saved, config: config).failed.count == 1)
    }

    /// A scan whose configuration names a pattern the redacted values were never checked against cannot
    /// judge them: the credential controls skip, naming the pattern, instead of passing them.
    @Test func aPatternTheCollectDidNotCheckSkipsTheCredentialControls() throws {
        var config = ControlsConfig()
        config.sensitiveValuesAllowed = ["^never-checked$"]
        let (saved, _) = try Self.saved(Self.snapshot())
        for control in [WorkloadPrivilegeControls.credentialsInConfiguration, WorkloadPrivilegeControls.credentialsInEnvironment] {
            let skipped = Fixture.run(control, on: saved, config: config).skipped
            #expect(skipped?.contains("\"^never-checked$\"") == true && skipped?.contains("lookout collect --controls-config") == true)
        }
        // Without a redacted value there is nothing the scan cannot judge.
        let (clean, _) = try Self.saved(Fixture.snapshot { $0.deployments = [Self.deployment("x", [EnvVar(name: "LOG_LEVEL", value: "debug")])] })
        #expect(Fixture.run(WorkloadPrivilegeControls.credentialsInEnvironment, on: clean, config: config).skipped == nil)
    }

    @Test func anInvalidCollectPatternIsNamed() {
        var config = ControlsConfig()
        config.sensitiveValues = ["([a-z"]
        #expect(throws: CredentialDetector.InvalidPattern.self) { try SnapshotRedactor(config: config) }
    }
}
