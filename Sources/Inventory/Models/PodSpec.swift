import Documents
import FoundationEssentials

public struct PodSpec: Codable, Sendable, Hashable {
    public var containers: [Container]
    public var initContainers: [Container]?
    public var ephemeralContainers: [Container]?
    public var volumes: [Volume]?
    public var hostNetwork: Bool?
    public var hostPID: Bool?
    public var hostIPC: Bool?
    public var serviceAccountName: String?
    /// Deprecated alias of `serviceAccountName`, still accepted by the API server.
    public var serviceAccount: String?
    public var automountServiceAccountToken: Bool?
    public var securityContext: PodSecurityContext?
    public var nodeName: String?

    public init(containers: [Container], initContainers: [Container]? = nil, volumes: [Volume]? = nil) {
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
    }

    /// Every container that runs in the pod, in a stable order, with the field path that names it. Read
    /// in place as it is iterated: a dozen controls walk it for every workload, and an array built on each
    /// call (a copy of every container) was a few percent of a scan.
    public var allContainers: AllContainers {
        AllContainers(lists: (containers, initContainers ?? [], ephemeralContainers ?? []))
    }

    /// The ServiceAccount the pod runs as, with the API server's defaulting.
    public var effectiveServiceAccountName: String {
        serviceAccountName ?? serviceAccount ?? "default"
    }
}

/// A pod's containers, init containers and ephemeral containers in that order, each with its field path
/// (`containers[0]`, `initContainers[1]`, `ephemeralContainers[0]`).
public struct AllContainers: Sequence, Sendable {
    let lists: (containers: [Container], initContainers: [Container], ephemeralContainers: [Container])

    public struct Iterator: IteratorProtocol {
        let lists: (containers: [Container], initContainers: [Container], ephemeralContainers: [Container])
        /// Counted across the three lists.
        var position = 0

        public mutating func next() -> (path: String, container: Container)? {
            var index = position
            position += 1
            if index < lists.containers.count { return ("containers[\(index)]", lists.containers[index]) }
            index -= lists.containers.count
            if index < lists.initContainers.count { return ("initContainers[\(index)]", lists.initContainers[index]) }
            index -= lists.initContainers.count
            if index < lists.ephemeralContainers.count { return ("ephemeralContainers[\(index)]", lists.ephemeralContainers[index]) }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(lists: lists) }

    public var underestimatedCount: Int {
        lists.containers.count + lists.initContainers.count + lists.ephemeralContainers.count
    }
}

public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var imagePullPolicy: String?
    public var command: [String]?
    public var args: [String]?
    public var ports: [ContainerPort]?
    public var env: [EnvVar]?
    public var envFrom: [EnvFromSource]?
    public var resources: ResourceRequirements?
    public var volumeMounts: [VolumeMount]?
    public var securityContext: SecurityContext?
    public var livenessProbe: Present?
    public var readinessProbe: Present?

    public init(name: String, image: String? = nil, securityContext: SecurityContext? = nil) {
        self.name = name
        self.image = image
        self.securityContext = securityContext
    }
}

public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var containerPort: Int
    public var hostPort: Int?
    public var `protocol`: String?

    public init(containerPort: Int, hostPort: Int? = nil) {
        self.containerPort = containerPort
        self.hostPort = hostPort
    }
}

public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?
    /// Set in place of `value` in a snapshot saved by `lookout collect` when the value looks like a credential.
    public var redacted: RedactedValue?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct EnvVarSource: Codable, Sendable, Hashable {
    public var secretKeyRef: KeyReference?
    public var configMapKeyRef: KeyReference?

    public init(secretKeyRef: KeyReference? = nil, configMapKeyRef: KeyReference? = nil) {
        self.secretKeyRef = secretKeyRef
        self.configMapKeyRef = configMapKeyRef
    }
}

public struct KeyReference: Codable, Sendable, Hashable {
    public var name: String?
    public var key: String

    public init(name: String? = nil, key: String) {
        self.name = name
        self.key = key
    }
}

public struct EnvFromSource: Codable, Sendable, Hashable {
    public var secretRef: NameReference?
    public var configMapRef: NameReference?

    public init(secretRef: NameReference? = nil, configMapRef: NameReference? = nil) {
        self.secretRef = secretRef
        self.configMapRef = configMapRef
    }
}

public struct NameReference: Codable, Sendable, Hashable {
    public var name: String?
    public init(name: String? = nil) { self.name = name }
}

/// Quantities stay strings: controls compare presence, and the few that compare values parse them.
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var limits: [String: String]?
    public var requests: [String: String]?

    public init(limits: [String: String]? = nil, requests: [String: String]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var mountPath: String
    public var readOnly: Bool?
    public var subPath: String?
    public var subPathExpr: String?

    public init(name: String, mountPath: String, readOnly: Bool? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
    }
}

public struct Volume: Codable, Sendable, Hashable {
    public var name: String
    public var hostPath: HostPathSource?
    public var secret: SecretVolumeSource?
    public var configMap: NameReference?
    public var persistentVolumeClaim: ClaimReference?
    public var projected: ProjectedSource?

    public init(name: String, hostPath: HostPathSource? = nil) {
        self.name = name
        self.hostPath = hostPath
    }
}

public struct HostPathSource: Codable, Sendable, Hashable {
    public var path: String
    public var type: String?
    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }
}

public struct SecretVolumeSource: Codable, Sendable, Hashable {
    public var secretName: String?
    public init(secretName: String? = nil) { self.secretName = secretName }
}

public struct ClaimReference: Codable, Sendable, Hashable {
    public var claimName: String
    public init(claimName: String) { self.claimName = claimName }
}

public struct ProjectedSource: Codable, Sendable, Hashable {
    public var sources: [ProjectedVolumeSource]?
    public init(sources: [ProjectedVolumeSource]? = nil) { self.sources = sources }
}

public struct ProjectedVolumeSource: Codable, Sendable, Hashable {
    public var secret: NameReference?
    public var configMap: NameReference?
    public var serviceAccountToken: Present?
    public init(secret: NameReference? = nil, configMap: NameReference? = nil) {
        self.secret = secret
        self.configMap = configMap
    }
}

public struct SecurityContext: Codable, Sendable, Hashable {
    public var privileged: Bool?
    public var allowPrivilegeEscalation: Bool?
    public var readOnlyRootFilesystem: Bool?
    public var runAsNonRoot: Bool?
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var capabilities: Capabilities?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: SeccompProfile?
    public var seLinuxOptions: Present?
    public var procMount: String?
    public var windowsOptions: WindowsOptions?

    public init(
        privileged: Bool? = nil, allowPrivilegeEscalation: Bool? = nil, readOnlyRootFilesystem: Bool? = nil,
        runAsNonRoot: Bool? = nil, runAsUser: Int? = nil, runAsGroup: Int? = nil, capabilities: Capabilities? = nil,
        seccompProfile: SeccompProfile? = nil
    ) {
        self.privileged = privileged
        self.allowPrivilegeEscalation = allowPrivilegeEscalation
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.runAsNonRoot = runAsNonRoot
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.capabilities = capabilities
        self.seccompProfile = seccompProfile
    }
}

public struct PodSecurityContext: Codable, Sendable, Hashable {
    public var runAsNonRoot: Bool?
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var fsGroup: Int?
    public var seccompProfile: SeccompProfile?
    public var appArmorProfile: SeccompProfile?
    public var seLinuxOptions: Present?
    public var sysctls: [Sysctl]?
    public var windowsOptions: WindowsOptions?

    public init(
        runAsNonRoot: Bool? = nil, runAsUser: Int? = nil, runAsGroup: Int? = nil, seccompProfile: SeccompProfile? = nil
    ) {
        self.runAsNonRoot = runAsNonRoot
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.seccompProfile = seccompProfile
    }
}

public struct Sysctl: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
}

public struct WindowsOptions: Codable, Sendable, Hashable {
    public var hostProcess: Bool?
}

public struct Capabilities: Codable, Sendable, Hashable {
    public var add: [String]?
    public var drop: [String]?
    public init(add: [String]? = nil, drop: [String]? = nil) {
        self.add = add
        self.drop = drop
    }
}

public struct SeccompProfile: Codable, Sendable, Hashable {
    public var type: String
    public var localhostProfile: String?
    public init(type: String) { self.type = type }
}

// Read directly by the direct JSON decoder: each mirrors its type's `Decodable` conformance.

extension PodSpec: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        containers = try object.decode([Container].self, forKey: CodingKeys.containers)
        initContainers = try object.decodeIfPresent([Container].self, forKey: CodingKeys.initContainers)
        ephemeralContainers = try object.decodeIfPresent([Container].self, forKey: CodingKeys.ephemeralContainers)
        volumes = try object.decodeIfPresent([Volume].self, forKey: CodingKeys.volumes)
        hostNetwork = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.hostNetwork)
        hostPID = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.hostPID)
        hostIPC = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.hostIPC)
        serviceAccountName = try object.decodeIfPresent(String.self, forKey: CodingKeys.serviceAccountName)
        serviceAccount = try object.decodeIfPresent(String.self, forKey: CodingKeys.serviceAccount)
        automountServiceAccountToken = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.automountServiceAccountToken)
        securityContext = try object.decodeIfPresent(PodSecurityContext.self, forKey: CodingKeys.securityContext)
        nodeName = try object.decodeIfPresent(String.self, forKey: CodingKeys.nodeName)
    }
}

extension Container: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decode(String.self, forKey: CodingKeys.name)
        image = try object.decodeIfPresent(String.self, forKey: CodingKeys.image)
        imagePullPolicy = try object.decodeIfPresent(String.self, forKey: CodingKeys.imagePullPolicy)
        command = try object.decodeIfPresent([String].self, forKey: CodingKeys.command)
        args = try object.decodeIfPresent([String].self, forKey: CodingKeys.args)
        ports = try object.decodeIfPresent([ContainerPort].self, forKey: CodingKeys.ports)
        env = try object.decodeIfPresent([EnvVar].self, forKey: CodingKeys.env)
        envFrom = try object.decodeIfPresent([EnvFromSource].self, forKey: CodingKeys.envFrom)
        resources = try object.decodeIfPresent(ResourceRequirements.self, forKey: CodingKeys.resources)
        volumeMounts = try object.decodeIfPresent([VolumeMount].self, forKey: CodingKeys.volumeMounts)
        securityContext = try object.decodeIfPresent(SecurityContext.self, forKey: CodingKeys.securityContext)
        livenessProbe = try object.decodeIfPresent(Present.self, forKey: CodingKeys.livenessProbe)
        readinessProbe = try object.decodeIfPresent(Present.self, forKey: CodingKeys.readinessProbe)
    }
}

extension ContainerPort: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decodeIfPresent(String.self, forKey: CodingKeys.name)
        containerPort = try object.decode(Int.self, forKey: CodingKeys.containerPort)
        hostPort = try object.decodeIfPresent(Int.self, forKey: CodingKeys.hostPort)
        `protocol` = try object.decodeIfPresent(String.self, forKey: CodingKeys.protocol)
    }
}

extension EnvVar: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decode(String.self, forKey: CodingKeys.name)
        value = try object.decodeIfPresent(String.self, forKey: CodingKeys.value)
        valueFrom = try object.decodeIfPresent(EnvVarSource.self, forKey: CodingKeys.valueFrom)
        redacted = try object.decodeIfPresent(RedactedValue.self, forKey: CodingKeys.redacted)
    }
}

extension EnvVarSource: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        secretKeyRef = try object.decodeIfPresent(KeyReference.self, forKey: CodingKeys.secretKeyRef)
        configMapKeyRef = try object.decodeIfPresent(KeyReference.self, forKey: CodingKeys.configMapKeyRef)
    }
}

extension KeyReference: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decodeIfPresent(String.self, forKey: CodingKeys.name)
        key = try object.decode(String.self, forKey: CodingKeys.key)
    }
}

extension EnvFromSource: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        secretRef = try object.decodeIfPresent(NameReference.self, forKey: CodingKeys.secretRef)
        configMapRef = try object.decodeIfPresent(NameReference.self, forKey: CodingKeys.configMapRef)
    }
}

extension NameReference: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decodeIfPresent(String.self, forKey: CodingKeys.name)
    }
}

extension ResourceRequirements: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        limits = try object.decodeIfPresent([String: String].self, forKey: CodingKeys.limits)
        requests = try object.decodeIfPresent([String: String].self, forKey: CodingKeys.requests)
    }
}

extension VolumeMount: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decode(String.self, forKey: CodingKeys.name)
        mountPath = try object.decode(String.self, forKey: CodingKeys.mountPath)
        readOnly = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.readOnly)
        subPath = try object.decodeIfPresent(String.self, forKey: CodingKeys.subPath)
        subPathExpr = try object.decodeIfPresent(String.self, forKey: CodingKeys.subPathExpr)
    }
}

extension Volume: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        name = try object.decode(String.self, forKey: CodingKeys.name)
        hostPath = try object.decodeIfPresent(HostPathSource.self, forKey: CodingKeys.hostPath)
        secret = try object.decodeIfPresent(SecretVolumeSource.self, forKey: CodingKeys.secret)
        configMap = try object.decodeIfPresent(NameReference.self, forKey: CodingKeys.configMap)
        persistentVolumeClaim = try object.decodeIfPresent(ClaimReference.self, forKey: CodingKeys.persistentVolumeClaim)
        projected = try object.decodeIfPresent(ProjectedSource.self, forKey: CodingKeys.projected)
    }
}

extension SecurityContext: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        privileged = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.privileged)
        allowPrivilegeEscalation = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.allowPrivilegeEscalation)
        readOnlyRootFilesystem = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.readOnlyRootFilesystem)
        runAsNonRoot = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.runAsNonRoot)
        runAsUser = try object.decodeIfPresent(Int.self, forKey: CodingKeys.runAsUser)
        runAsGroup = try object.decodeIfPresent(Int.self, forKey: CodingKeys.runAsGroup)
        capabilities = try object.decodeIfPresent(Capabilities.self, forKey: CodingKeys.capabilities)
        seccompProfile = try object.decodeIfPresent(SeccompProfile.self, forKey: CodingKeys.seccompProfile)
        appArmorProfile = try object.decodeIfPresent(SeccompProfile.self, forKey: CodingKeys.appArmorProfile)
        seLinuxOptions = try object.decodeIfPresent(Present.self, forKey: CodingKeys.seLinuxOptions)
        procMount = try object.decodeIfPresent(String.self, forKey: CodingKeys.procMount)
        windowsOptions = try object.decodeIfPresent(WindowsOptions.self, forKey: CodingKeys.windowsOptions)
    }
}

extension PodSecurityContext: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        runAsNonRoot = try object.decodeIfPresent(Bool.self, forKey: CodingKeys.runAsNonRoot)
        runAsUser = try object.decodeIfPresent(Int.self, forKey: CodingKeys.runAsUser)
        runAsGroup = try object.decodeIfPresent(Int.self, forKey: CodingKeys.runAsGroup)
        fsGroup = try object.decodeIfPresent(Int.self, forKey: CodingKeys.fsGroup)
        seccompProfile = try object.decodeIfPresent(SeccompProfile.self, forKey: CodingKeys.seccompProfile)
        appArmorProfile = try object.decodeIfPresent(SeccompProfile.self, forKey: CodingKeys.appArmorProfile)
        seLinuxOptions = try object.decodeIfPresent(Present.self, forKey: CodingKeys.seLinuxOptions)
        sysctls = try object.decodeIfPresent([Sysctl].self, forKey: CodingKeys.sysctls)
        windowsOptions = try object.decodeIfPresent(WindowsOptions.self, forKey: CodingKeys.windowsOptions)
    }
}

extension Capabilities: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        add = try object.decodeIfPresent([String].self, forKey: CodingKeys.add)
        drop = try object.decodeIfPresent([String].self, forKey: CodingKeys.drop)
    }
}

extension SeccompProfile: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        type = try object.decode(String.self, forKey: CodingKeys.type)
        localhostProfile = try object.decodeIfPresent(String.self, forKey: CodingKeys.localhostProfile)
    }
}
