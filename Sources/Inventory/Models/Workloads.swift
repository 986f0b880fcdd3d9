import Documents
import FoundationEssentials

public struct PodTemplate: Codable, Sendable, Hashable {
    public var metadata: TemplateMeta?
    public var spec: PodSpec

    public init(labels: [String: String]? = nil, spec: PodSpec) {
        self.metadata = TemplateMeta(labels: labels)
        self.spec = spec
    }
}

/// A pod template's metadata has no name of its own.
public struct TemplateMeta: Codable, Sendable, Hashable {
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.labels = labels
        self.annotations = annotations
    }
}

public struct Pod: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public init(metadata: ObjectMeta, spec: PodSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// Deployment, ReplicaSet and StatefulSet share this shape; `strategy` is a Deployment's only.
public struct ReplicatedWorkloadSpec: Codable, Sendable, Hashable {
    public var replicas: Int?
    public var selector: LabelSelector?
    public var template: PodTemplate
    public var strategy: DeploymentStrategy?

    public init(replicas: Int? = nil, selector: LabelSelector? = nil, template: PodTemplate) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

public struct DeploymentStrategy: Codable, Sendable, Hashable {
    public var type: String?
}

public struct Deployment: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var spec: ReplicatedWorkloadSpec
    public init(metadata: ObjectMeta, spec: ReplicatedWorkloadSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct ReplicaSet: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var spec: ReplicatedWorkloadSpec
    public init(metadata: ObjectMeta, spec: ReplicatedWorkloadSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct StatefulSet: KubeObject, Hashable {
    public var metadata: ObjectMeta
    public var spec: ReplicatedWorkloadSpec
    public init(metadata: ObjectMeta, spec: ReplicatedWorkloadSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct DaemonSet: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var selector: LabelSelector?
        public var template: PodTemplate
        public init(selector: LabelSelector? = nil, template: PodTemplate) {
            self.selector = selector
            self.template = template
        }
    }
    /// The risk weight of a DaemonSet multiplies by the nodes it runs on.
    public struct Status: Codable, Sendable, Hashable {
        public var desiredNumberScheduled: Int?
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct Job: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var selector: LabelSelector?
        public var template: PodTemplate
        public init(template: PodTemplate) { self.template = template }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct CronJob: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var schedule: String?
        public var concurrencyPolicy: String?
        public var jobTemplate: JobTemplate
        public init(schedule: String? = nil, jobTemplate: JobTemplate) {
            self.schedule = schedule
            self.jobTemplate = jobTemplate
        }
    }
    public struct JobTemplate: Codable, Sendable, Hashable {
        public var metadata: TemplateMeta?
        public var spec: Job.Spec
        public init(spec: Job.Spec) { self.spec = spec }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// The pre-Deployment replicated workload (core v1): its selector is a plain label map, and its template
/// may be left out (it then adopts existing pods only).
public struct ReplicationController: KubeObject, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var replicas: Int?
        public var selector: [String: String]?
        public var template: PodTemplate?
        public init(replicas: Int? = nil, selector: [String: String]? = nil, template: PodTemplate?) {
            self.replicas = replicas
            self.selector = selector
            self.template = template
        }
    }
    public var metadata: ObjectMeta
    public var spec: Spec
    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

// Read directly by the direct JSON decoder: each mirrors its type's `Decodable` conformance.

extension PodTemplate: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        metadata = try object.decodeIfPresent(TemplateMeta.self, forKey: CodingKeys.metadata)
        spec = try object.decode(PodSpec.self, forKey: CodingKeys.spec)
    }
}

extension TemplateMeta: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        labels = try object.decodeIfPresent([String: String].self, forKey: CodingKeys.labels)
        annotations = try object.decodeIfPresent([String: String].self, forKey: CodingKeys.annotations)
    }
}

extension Pod: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        metadata = try object.decode(ObjectMeta.self, forKey: CodingKeys.metadata)
        spec = try object.decode(PodSpec.self, forKey: CodingKeys.spec)
    }
}

extension ReplicatedWorkloadSpec: JSONObjectDecodable {
    public init(json object: JSONObject) throws {
        replicas = try object.decodeIfPresent(Int.self, forKey: CodingKeys.replicas)
        selector = try object.decodeIfPresent(LabelSelector.self, forKey: CodingKeys.selector)
        template = try object.decode(PodTemplate.self, forKey: CodingKeys.template)
        strategy = try object.decodeIfPresent(DeploymentStrategy.self, forKey: CodingKeys.strategy)
    }
}
