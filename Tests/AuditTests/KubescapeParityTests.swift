@testable import Audit
import Inventory
import ManifestFixtures
import Documents
import Testing

/// Behaviours checked against Kubescape's current rules (kubescape/regolibrary) with inputs in the shape
/// of their rule tests: where Lookout matches the rule, and where it deliberately differs (documented in
/// the control's notes).

@Suite struct ControlsConfigShapeTests {
    /// `data.json` of Kubescape's rule tests and exported inputs: `{"postureControlInputs": {…}}`.
    @Test func postureControlInputsShapeIsRead() throws {
        let config = try KubescapeInput.config(#"{"postureControlInputs": {"imageRepositoryAllowList": ["registry.example/"], "floatingImageTags": ["alpine"]}}"#)
        #expect(config.imageRepositoryAllowList == ["registry.example/"])
        #expect(config.floatingImageTags == ["alpine"])
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.imagesFromAllowedRegistry,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'docker.io/nginx:1.25'}]\n",
            config: #"{"postureControlInputs": {"imageRepositoryAllowList": ["registry.example/"]}}"#)
        #expect(result.skipped == nil)
        #expect(result.failed.map(\.name) == ["p"])
    }

    /// Kubescape's full configuration (`default-config-inputs.json`): envelope keys and inputs no Lookout
    /// control reads are accepted.
    @Test func kubescapeFullConfigurationIsRead() throws {
        let config = try KubescapeInput.config("""
            {"name": "default", "attributes": {}, "scope": {"designatorType": "attributes", "attributes": {}},
             "settings": {"postureControlInputs": {"publicRegistries": [], "untrustedRegistries": [],
               "max_critical_vulnerabilities": ["5"], "hardenedSandboxRuntimeClasses": ["gvisor"],
               "wlKnownNames": ["coredns"]}}}
            """)
        #expect(config.wlKnownNames == ["coredns"])
        #expect(config.insecureCapabilities == ControlsConfig().insecureCapabilities)
    }

    @Test func flatShapeIsRead() throws {
        let config = try KubescapeInput.config("floatingImageTags: [edge]\nimageDigestExemptRepositories: [internal-registry]\n", file: "c.yaml")
        #expect(config.floatingImageTags == ["edge"])
        #expect(config.imageDigestExemptRepositories == ["internal-registry"])
    }

    /// A key no shape knows is an error naming the key and its line, never silently ignored.
    @Test(arguments: [
        ("postureControlInputz:\n  imageRepositoryAllowList: [a/]\n", "postureControlInputz", 1),
        ("postureControlInputs:\n  imageRepositoryAllowList: [a/]\n  floatingImageTag: [edge]\n", "postureControlInputs.floatingImageTag", 3),
        ("settings:\n  postureControlInputs:\n    sensitiveKeyNamez: [x]\n", "settings.postureControlInputs.sensitiveKeyNamez", 3),
        ("floatingImageTags: [edge]\nextra: 1\n", "extra", 2),
        ("postureControlInputs: {}\nsettings: {}\n", "settings", 2),
    ])
    func unknownKeyIsAnError(text: String, field: String, line: Int) {
        #expect { try KubescapeInput.config(text, file: "c.yaml") } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.field == field && error.line == line && error.file == "c.yaml"
                && error.message.contains("unknown controls-config key")
        }
    }

    @Test func invalidPatternNamesItsField() {
        #expect { try KubescapeInput.config(#"{"postureControlInputs": {"sensitiveValues": ["([a-z"]}}"#) } throws: { error in
            (error as? ConfigError)?.field == "postureControlInputs.sensitiveValues"
        }
    }
}

/// C-0259 / C-0012 (rule-credentials-in-env-var, tests `*-envfrom-secretref`).
@Suite struct EnvFromSecretRefParityTests {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: envfrom-secret-pod
          labels: {app: envfrom-secret-pod}
        spec:
          containers:
          - name: plain
            image: nginx:1.25
          - name: secret-container
            image: nginx:1.25
            envFrom:
            - secretRef:
                name: my-secret
        """

    @Test func podContainerEnvFromSecretRefFails() throws {
        for control in [WorkloadPrivilegeControls.credentialsInEnvironment, WorkloadPrivilegeControls.credentialsInConfiguration] {
            let result = try KubescapeInput.run(control, Self.pod)
            #expect(result.failed.map(\.name) == ["envfrom-secret-pod"])
            #expect(result.verdicts.evidence(of: "envfrom-secret-pod") == [
                "spec.containers[1].envFrom[0].secretRef.name=my-secret: every key of the Secret is an environment variable"
            ])
        }
    }

    @Test func initContainersOfEveryWorkloadKindCount() throws {
        let result = try KubescapeInput.run(WorkloadPrivilegeControls.credentialsInEnvironment, """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 0 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      initContainers:
                      - name: init
                        image: busybox:1.36
                        envFrom: [{secretRef: {name: init-secret}}]
                      containers: [{name: main, image: busybox:1.36}]
            ---
            \(Manifest.workload(name: "web", podSpec: """
                initContainers: [{name: init, image: busybox:1.36, envFrom: [{secretRef: {name: s}}]}]
                containers: [{name: main, image: nginx:1.25}]
                """))
            """)
        #expect(result.failed.map(\.name) == ["nightly", "web"])
        #expect(result.verdicts.evidence(of: "nightly")?.first?.hasPrefix(
            "spec.jobTemplate.spec.template.spec.initContainers[0].envFrom[0].secretRef.name=init-secret") == true)
    }

    @Test func envFromConfigMapRefPasses() throws {
        let result = try KubescapeInput.run(WorkloadPrivilegeControls.credentialsInEnvironment, """
            apiVersion: v1
            kind: Pod
            metadata: {name: envfrom-configmap-pod}
            spec:
              containers:
              - name: configmap-container
                image: nginx:1.25
                envFrom: [{configMapRef: {name: my-configmap}}]
            """)
        #expect(result.failed.isEmpty)
        #expect(result.all.map(\.name) == ["envfrom-configmap-pod"])
    }
}

/// C-0306 (image-not-pinned-to-digest): only a well-formed digest pins; exempted repositories pass.
@Suite struct DigestPinningParityTests {
    static func pod(_ image: String) -> String {
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: '\(image)'\n"
    }

    static let hex64 = String(repeating: "a", count: 64)

    static let digests: [(String, Bool)] = [
        ("nginx@sha256:" + hex64, true),
        ("nginx:1.25@sha256:" + hex64, true),
        ("registry.example.com:5000/app@sha256:" + hex64, true),
        ("nginx@sha256:" + String(repeating: "a", count: 32), false),
        ("nginx@sha256:" + String(repeating: "A", count: 64), false),
        ("nginx@sha512:" + String(repeating: "a", count: 128), true),
        ("nginx@sha512:" + hex64, false),
        ("nginx@blake3:" + hex64, true),
        ("nginx@blake3:" + String(repeating: "a", count: 63), false),
        ("nginx@custom-algorithm:" + String(repeating: "a", count: 32), true),
        ("nginx@custom-algorithm:a", false),
        ("nginx:1.25", false),
        ("nginx", false),
        ("registry.example.com:5000/app:1.0", false),
    ]

    @Test(arguments: digests)
    func digestMustBeWellFormed(image: String, pinned: Bool) throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.imagesNotPinnedToDigest, Self.pod(image))
        #expect(result.all.count == 1)
        #expect(result.failed.isEmpty == pinned)
    }

    @Test func malformedDigestIsNamedInEvidence() throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.imagesNotPinnedToDigest, Self.pod("nginx@sha256:abc"))
        #expect(result.verdicts.evidence(of: "p") == ["spec.containers[0].image=nginx@sha256:abc has a malformed digest (wrong length, case or algorithm)"])
    }

    static let exempt = #"{"postureControlInputs": {"imageDigestExemptRepositories": ["internal-registry", "docker.io/library/redis"]}}"#

    static let exemptions: [(String, Bool)] = [
        ("internal-registry/nginx:1.25", true),
        ("internal-registry:5000/nginx:1.25", true),
        ("internal-registry-attacker/app:latest", false),
        ("redis:7", true),
        ("redis-stack:7", false),
    ]

    @Test(arguments: exemptions)
    func exemptedRepositoriesPassAtABoundary(image: String, exempted: Bool) throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.imagesNotPinnedToDigest, Self.pod(image), config: Self.exempt)
        #expect(result.failed.isEmpty == exempted)
    }

    @Test func initAndEphemeralContainersCount() throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.imagesNotPinnedToDigest, """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers: [{name: app, image: 'nginx@sha256:\(Self.hex64)'}]
              ephemeralContainers: [{name: debug, image: 'busybox:1.36'}]
            """)
        #expect(result.verdicts.evidence(of: "p") == ["spec.ephemeralContainers[0].image=busybox:1.36 has no digest"])
    }
}

/// C-0075 (image-pull-policy-is-not-set-to-always, test pod-configured-floating-tag).
@Suite struct FloatingTagParityTests {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: floating-tag-test}
        spec:
          containers:
          - name: redis
            image: redis:alpine
            imagePullPolicy: IfNotPresent
        """

    @Test func configuredFloatingTagFails() throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.imagePullPolicyOnLatestTag, Self.pod, config: #"{"postureControlInputs": {"floatingImageTags": ["alpine"]}}"#)
        #expect(result.failed.map(\.name) == ["floating-tag-test"])
        #expect(result.verdicts.evidence(of: "floating-tag-test") == [
            "spec.containers[0].imagePullPolicy=IfNotPresent with spec.containers[0].image=redis:alpine: floating tag alpine (floatingImageTags)"
        ])
    }

    @Test func unconfiguredTagPasses() throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.imagePullPolicyOnLatestTag, Self.pod)
        #expect(result.failed.isEmpty)
        #expect(result.all.count == 1)
    }
}

/// C-0307: `serviceAccountName: default` names the account every namespace has.
@Suite struct DefaultServiceAccountParityTests {
    static func deployment(_ account: String) -> String {
        Manifest.workload(name: "web", namespace: "shop", podSpec: """
            serviceAccountName: \(account)
            containers: [{name: web, image: nginx:1.25}]
            """)
    }

    @Test func explicitDefaultPassesWithoutServiceAccountsInTheInput() throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.nonExistentServiceAccount, Self.deployment("default"))
        #expect(result.failed.isEmpty)
        #expect(result.all.map(\.name) == ["web"])
    }

    @Test func anotherMissingAccountFails() throws {
        let result = try KubescapeInput.run(WorkloadHygieneControls.nonExistentServiceAccount, Self.deployment("builder"))
        #expect(result.failed.map(\.name) == ["web"])
    }

    @Test func existingAccountPasses() throws {
        let result = try KubescapeInput.run(
            WorkloadHygieneControls.nonExistentServiceAccount,
            Self.deployment("builder") + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: shop}\n")
        #expect(result.failed.isEmpty)
    }
}
