@testable import Audit
import Admission
import ConsumerSupport
import Foundation
import Inventory
import KubeClient
import Testing

/// The control tests whose fixtures the admission gate is judged on. Each runs as usual under a
/// recorder, which keeps every snapshot a control is run on; `everyTestOfTheSuitesIsListed` fails
/// when a test is added to one of these suites but not here.
enum GateCorpus {
    static let suites: [String: [String]] = [
        "WorkloadPrivilegeSecurityContextTests.swift": [
            "NonRootContainersTests", "AllowPrivilegeEscalationTests", "ImmutableFilesystemTests", "SeccompControlsTests",
            "InsecureCapabilitiesTests", "SudoInEntrypointTests", "PrivilegedContainerCapabilityNamesTests",
        ],
        "WorkloadPrivilegeHostTests.swift": [
            "HostPathMountTests", "WritableHostPathMountTests", "RuntimeSocketMountedTests", "HostNamespaceTests", "ContainerHostPortTests",
        ],
        "WorkloadHygieneImagesTests.swift": [
            "ImagePullPolicyOnLatestTagTests", "ImagesFromAllowedRegistryTests", "DeprecatedKubernetesRegistryTests", "ImagesNotPinnedToDigestTests",
        ],
        "WorkloadHygieneResourcesTests.swift": ["ResourceLimitsTests", "SingleResourceFieldTests"],
        "NetworkControlsTests.swift": ["SSHServerRunningTests"],
        "SliceControlTests.swift": ["PrivilegedContainerTests"],
        "KubescapeParityTests.swift": ["DigestPinningParityTests", "FloatingTagParityTests", "ControlsConfigShapeTests"],
        "KubescapeParityTests+Kinds.swift": ["ReplicationControllerParityTests"],
    ]

    /// Tests of the listed suites that run no control, with the reason.
    static let testsWithoutFixtures = ["ControlsConfigShapeTests.unknownKeyIsAnError": "reads configuration files only"]

    /// Suites that name a gated control but are not fixture tests of it, with the reason.
    static let otherSuites = [
        "ExceptionTests": "applies exceptions through Auditor.run; the gate's exceptions are tested by AdmissionPolicyTests",
        "ScoringTests": "checks scores of privileged Deployments like PrivilegedContainerTests'",
        "SecurityContextAppliedTests": "C-0211, which has no gate; it names escalation as a field",
    ]

    /// The catalogue properties of the gated controls: a suite that names one is a fixture source.
    static let gatedControls = [
        "privilegedContainer", "insecureCapabilities", "sudoInEntrypoint", "hostPathMount", "writableHostPathMount", "runtimeSocketMounted",
        "hostNetworkAccess", "hostPIDIPCPrivileges", "hostPIDNamespace", "hostIPCNamespace", "containerHostPort", "nonRootContainers",
        "allowPrivilegeEscalation", "immutableFilesystem", "linuxHardening", "seccompRuntimeDefault", "resourceLimits", "cpuLimits",
        "memoryLimits", "cpuRequests", "memoryRequests", "imagePullPolicyOnLatestTag", "imagesFromAllowedRegistry", "imagesNotPinnedToDigest",
        "deprecatedKubernetesRegistry", "sshServerRunning",
    ]

    static let tests: [(suite: String, test: String, run: @Sendable () throws -> Void)] = [
        ("NonRootContainersTests", "failsContainerWithoutSecurityContextWithTwoLines", { NonRootContainersTests().failsContainerWithoutSecurityContextWithTwoLines() }),
        ("NonRootContainersTests", "passesPodLevelNonRootUserAndGroup", { NonRootContainersTests().passesPodLevelNonRootUserAndGroup() }),
        ("NonRootContainersTests", "runAsGroupIsItsOwnEvidenceLine", { NonRootContainersTests().runAsGroupIsItsOwnEvidenceLine() }),
        ("NonRootContainersTests", "containerOverridesPod", { NonRootContainersTests().containerOverridesPod() }),
        ("AllowPrivilegeEscalationTests", "failsUnsetOrTrue", { AllowPrivilegeEscalationTests().failsUnsetOrTrue() }),
        ("AllowPrivilegeEscalationTests", "passesExplicitFalse", { AllowPrivilegeEscalationTests().passesExplicitFalse() }),
        ("AllowPrivilegeEscalationTests", "podSecurityPolicyForbiddingEscalationPasses", { try AllowPrivilegeEscalationTests().podSecurityPolicyForbiddingEscalationPasses() }),
        ("AllowPrivilegeEscalationTests", "evaluatedWhenPodSecurityPoliciesAreNotServed", { AllowPrivilegeEscalationTests().evaluatedWhenPodSecurityPoliciesAreNotServed() }),
        ("ImmutableFilesystemTests", "failsUnsetOrFalse", { ImmutableFilesystemTests().failsUnsetOrFalse() }),
        ("ImmutableFilesystemTests", "passesReadOnlyRoot", { ImmutableFilesystemTests().passesReadOnlyRoot() }),
        ("ImmutableFilesystemTests", "initContainerCounts", { ImmutableFilesystemTests().initContainerCounts() }),
        ("SeccompControlsTests", "linuxHardeningFailsWithoutProfile", { SeccompControlsTests().linuxHardeningFailsWithoutProfile() }),
        ("SeccompControlsTests", "linuxHardeningPassesPodLevelRuntimeDefaultOrContainerLocalhost", { SeccompControlsTests().linuxHardeningPassesPodLevelRuntimeDefaultOrContainerLocalhost() }),
        ("SeccompControlsTests", "linuxHardeningFailsUnconfinedOverride", { SeccompControlsTests().linuxHardeningFailsUnconfinedOverride() }),
        ("SeccompControlsTests", "runtimeDefaultNeedsEveryContainerWithoutPodLevel", { SeccompControlsTests().runtimeDefaultNeedsEveryContainerWithoutPodLevel() }),
        ("SeccompControlsTests", "runtimeDefaultNamesAnUnconfinedPod", { SeccompControlsTests().runtimeDefaultNamesAnUnconfinedPod() }),
        ("SeccompControlsTests", "runtimeDefaultPassesPodLevel", { SeccompControlsTests().runtimeDefaultPassesPodLevel() }),
        ("InsecureCapabilitiesTests", "failsInsecureCapabilitiesAsWritten", { InsecureCapabilitiesTests().failsInsecureCapabilitiesAsWritten() }),
        ("InsecureCapabilitiesTests", "passesHarmlessCapabilities", { InsecureCapabilitiesTests().passesHarmlessCapabilities() }),
        ("InsecureCapabilitiesTests", "readsTheConfiguredList", { InsecureCapabilitiesTests().readsTheConfiguredList() }),
        ("SudoInEntrypointTests", "failsSudoInCommandOrScriptArgs", { SudoInEntrypointTests().failsSudoInCommandOrScriptArgs() }),
        ("SudoInEntrypointTests", "passesWithoutSudo", { SudoInEntrypointTests().passesWithoutSudo() }),
        ("SudoInEntrypointTests", "matchesSudoAsAWordOnly", { SudoInEntrypointTests().matchesSudoAsAWordOnly() }),
        ("PrivilegedContainerCapabilityNamesTests", "sysAdminInAnySpelling", { PrivilegedContainerCapabilityNamesTests().sysAdminInAnySpelling() }),
        ("HostPathMountTests", "failsMountedHostPath", { HostPathMountTests().failsMountedHostPath() }),
        ("HostPathMountTests", "passesWithoutHostPath", { HostPathMountTests().passesWithoutHostPath() }),
        ("HostPathMountTests", "countsOnlyMountedVolumesIncludingInitContainers", { HostPathMountTests().countsOnlyMountedVolumesIncludingInitContainers() }),
        ("WritableHostPathMountTests", "failsMountWithoutReadOnly", { WritableHostPathMountTests().failsMountWithoutReadOnly() }),
        ("WritableHostPathMountTests", "passesReadOnlyMount", { WritableHostPathMountTests().passesReadOnlyMount() }),
        ("WritableHostPathMountTests", "reportsOnlyTheWritableMount", { WritableHostPathMountTests().reportsOnlyTheWritableMount() }),
        ("RuntimeSocketMountedTests", "failsDockerSocket", { RuntimeSocketMountedTests().failsDockerSocket() }),
        ("RuntimeSocketMountedTests", "passesOtherHostPaths", { RuntimeSocketMountedTests().passesOtherHostPaths() }),
        ("RuntimeSocketMountedTests", "failsParentDirectoryAndNonCanonicalSpelling", { RuntimeSocketMountedTests().failsParentDirectoryAndNonCanonicalSpelling() }),
        ("RuntimeSocketMountedTests", "canonicalHostPaths", { RuntimeSocketMountedTests().canonicalHostPaths() }),
        ("HostNamespaceTests", "hostNetworkFailsOnlyHostNetwork", { HostNamespaceTests().hostNetworkFailsOnlyHostNetwork() }),
        ("HostNamespaceTests", "hostNetworkPathOfCronJob", { HostNamespaceTests().hostNetworkPathOfCronJob() }),
        ("HostNamespaceTests", "hostPIDIPCFailsEitherWithOneLineEach", { HostNamespaceTests().hostPIDIPCFailsEitherWithOneLineEach() }),
        ("HostNamespaceTests", "cisHostPIDFailsOnlyHostPID", { HostNamespaceTests().cisHostPIDFailsOnlyHostPID() }),
        ("HostNamespaceTests", "cisHostIPCFailsOnlyHostIPC", { HostNamespaceTests().cisHostIPCFailsOnlyHostIPC() }),
        ("HostNamespaceTests", "sharedCheckOnPods", { HostNamespaceTests().sharedCheckOnPods() }),
        ("ContainerHostPortTests", "failsHostPort", { ContainerHostPortTests().failsHostPort() }),
        ("ContainerHostPortTests", "passesContainerPortsOnly", { ContainerHostPortTests().passesContainerPortsOnly() }),
        ("ContainerHostPortTests", "zeroHostPortPasses", { ContainerHostPortTests().zeroHostPortPasses() }),
        ("ImagePullPolicyOnLatestTagTests", "failsLatestWithIfNotPresent", { ImagePullPolicyOnLatestTagTests().failsLatestWithIfNotPresent() }),
        ("ImagePullPolicyOnLatestTagTests", "passesLatestWithAlwaysAndVersionWithIfNotPresent", { ImagePullPolicyOnLatestTagTests().passesLatestWithAlwaysAndVersionWithIfNotPresent() }),
        ("ImagePullPolicyOnLatestTagTests", "untaggedFloatingTagsAndDigests", { ImagePullPolicyOnLatestTagTests().untaggedFloatingTagsAndDigests() }),
        ("ImagesFromAllowedRegistryTests", "failsImageFromOtherRegistry", { ImagesFromAllowedRegistryTests().failsImageFromOtherRegistry() }),
        ("ImagesFromAllowedRegistryTests", "passesAllowedRegistriesIncludingNormalizedDockerHub", { ImagesFromAllowedRegistryTests().passesAllowedRegistriesIncludingNormalizedDockerHub() }),
        ("ImagesFromAllowedRegistryTests", "matchesAtPathBoundaryOnly", { ImagesFromAllowedRegistryTests().matchesAtPathBoundaryOnly() }),
        ("ImagesFromAllowedRegistryTests", "skippedWithoutAllowList", { ImagesFromAllowedRegistryTests().skippedWithoutAllowList() }),
        ("DeprecatedKubernetesRegistryTests", "failsK8sGcrIo", { DeprecatedKubernetesRegistryTests().failsK8sGcrIo() }),
        ("DeprecatedKubernetesRegistryTests", "passesRegistryK8sIo", { DeprecatedKubernetesRegistryTests().passesRegistryK8sIo() }),
        ("DeprecatedKubernetesRegistryTests", "matchesTheRegistryNotASubstring", { DeprecatedKubernetesRegistryTests().matchesTheRegistryNotASubstring() }),
        ("ImagesNotPinnedToDigestTests", "failsTaggedImage", { ImagesNotPinnedToDigestTests().failsTaggedImage() }),
        ("ImagesNotPinnedToDigestTests", "passesDigestPinnedImages", { ImagesNotPinnedToDigestTests().passesDigestPinnedImages() }),
        ("ImagesNotPinnedToDigestTests", "reportsUnparsableReference", { ImagesNotPinnedToDigestTests().reportsUnparsableReference() }),
        ("ResourceLimitsTests", "failsContainerWithoutMemoryLimit", { ResourceLimitsTests().failsContainerWithoutMemoryLimit() }),
        ("ResourceLimitsTests", "passesContainerWithBothLimits", { ResourceLimitsTests().passesContainerWithBothLimits() }),
        ("ResourceLimitsTests", "checksInitContainersButNotEphemeralOnes", { ResourceLimitsTests().checksInitContainersButNotEphemeralOnes() }),
        ("SSHServerRunningTests", "failsWorkloadBehindPort22", { SSHServerRunningTests().failsWorkloadBehindPort22() }),
        ("SSHServerRunningTests", "passesWebPorts", { SSHServerRunningTests().passesWebPorts() }),
        ("SSHServerRunningTests", "resolvesNamedTargetPort", { SSHServerRunningTests().resolvesNamedTargetPort() }),
        ("PrivilegedContainerTests", "failsPrivilegedDeploymentAndReportsItNotItsPods", { PrivilegedContainerTests().failsPrivilegedDeploymentAndReportsItNotItsPods() }),
        ("PrivilegedContainerTests", "passesUnprivilegedPod", { PrivilegedContainerTests().passesUnprivilegedPod() }),
        ("PrivilegedContainerTests", "initContainerWithSysAdminInOperatorOwnedPod", { PrivilegedContainerTests().initContainerWithSysAdminInOperatorOwnedPod() }),
        ("DigestPinningParityTests", "malformedDigestIsNamedInEvidence", { try DigestPinningParityTests().malformedDigestIsNamedInEvidence() }),
        ("DigestPinningParityTests", "initAndEphemeralContainersCount", { try DigestPinningParityTests().initAndEphemeralContainersCount() }),
        ("FloatingTagParityTests", "configuredFloatingTagFails", { try FloatingTagParityTests().configuredFloatingTagFails() }),
        ("FloatingTagParityTests", "unconfiguredTagPasses", { try FloatingTagParityTests().unconfiguredTagPasses() }),
        ("ControlsConfigShapeTests", "postureControlInputsShapeIsRead", { try ControlsConfigShapeTests().postureControlInputsShapeIsRead() }),
        ("ControlsConfigShapeTests", "kubescapeFullConfigurationIsRead", { try ControlsConfigShapeTests().kubescapeFullConfigurationIsRead() }),
        ("ControlsConfigShapeTests", "flatShapeIsRead", { try ControlsConfigShapeTests().flatShapeIsRead() }),
        ("ControlsConfigShapeTests", "invalidPatternNamesItsField", { ControlsConfigShapeTests().invalidPatternNamesItsField() }),
        ("ReplicationControllerParityTests", "mismatchingSelectorFails", { try ReplicationControllerParityTests().mismatchingSelectorFails() }),
        ("ReplicationControllerParityTests", "matchingSelectorPasses", { try ReplicationControllerParityTests().matchingSelectorPasses() }),
        ("ReplicationControllerParityTests", "deprecatedServiceAccountFieldIsJudged", { try ReplicationControllerParityTests().deprecatedServiceAccountFieldIsJudged() }),
        ("ReplicationControllerParityTests", "workloadControlsJudgeItAndNotItsPods", { try ReplicationControllerParityTests().workloadControlsJudgeItAndNotItsPods() }),
        ("ReplicationControllerParityTests", "cronJobSelectorIsJudged", { try ReplicationControllerParityTests().cronJobSelectorIsJudged() }),
        // Parameterized tests, with the arguments they are declared with.
        ("DigestPinningParityTests", "digestMustBeWellFormed", {
            for (image, pinned) in DigestPinningParityTests.digests { try DigestPinningParityTests().digestMustBeWellFormed(image: image, pinned: pinned) }
        }),
        ("DigestPinningParityTests", "exemptedRepositoriesPassAtABoundary", {
            for (image, exempted) in DigestPinningParityTests.exemptions {
                try DigestPinningParityTests().exemptedRepositoriesPassAtABoundary(image: image, exempted: exempted)
            }
        }),
        ("SingleResourceFieldTests", "failsOnlyItsOwnMissingField", {
            for (control, field) in [
                (WorkloadHygieneControls.cpuLimits, "resources.limits.cpu"), (WorkloadHygieneControls.memoryLimits, "resources.limits.memory"),
                (WorkloadHygieneControls.cpuRequests, "resources.requests.cpu"), (WorkloadHygieneControls.memoryRequests, "resources.requests.memory"),
            ] { SingleResourceFieldTests().failsOnlyItsOwnMissingField(control: control, field: field) }
        }),
        ("SingleResourceFieldTests", "passesFullyResourcedCronJob", {
            for control in [WorkloadHygieneControls.cpuLimits, WorkloadHygieneControls.memoryLimits, WorkloadHygieneControls.cpuRequests, WorkloadHygieneControls.memoryRequests] {
                SingleResourceFieldTests().passesFullyResourcedCronJob(control: control)
            }
        }),
        ("SingleResourceFieldTests", "reportsCronJobInitContainerPath", {
            SingleResourceFieldTests().reportsCronJobInitContainerPath(control: WorkloadHygieneControls.cpuLimits, field: "resources.limits.cpu")
            SingleResourceFieldTests().reportsCronJobInitContainerPath(control: WorkloadHygieneControls.memoryRequests, field: "resources.requests.memory")
        }),
    ]
}
