import FoundationEssentials

/// What a request would do, as the authorizer sees it: `kubectl auth can-i VERB GROUP/RESOURCE`.
/// An empty namespace means every namespace, which is what a cluster-wide LIST needs.
public struct ResourceAttributes: Encodable, Sendable, Hashable {
    public var verb: String
    public var group: String
    public var resource: String
    public var subresource: String?
    public var namespace: String?
    public var name: String?

    public init(
        verb: String, group: String = "", resource: String, subresource: String? = nil, namespace: String? = nil,
        name: String? = nil
    ) {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    /// `pods`, `apps/deployments`, `nodes/proxy`, `configmaps lookout/report`: how people write it.
    public var displayName: String {
        var text = group.isEmpty ? resource : "\(group)/\(resource)"
        if let subresource { text += "/\(subresource)" }
        if let name { text += " \(namespace.map { "\($0)/" } ?? "")\(name)" }
        return text
    }
}

/// The authorizer's answer to one question.
public struct AccessDecision: Sendable, Hashable {
    public var allowed: Bool
    /// Why, when the authorizer says (RBAC names the binding that allows; a denial usually says nothing).
    public var reason: String?

    public init(allowed: Bool, reason: String? = nil) {
        self.allowed = allowed
        self.reason = reason
    }
}

extension KubeAPI {
    /// Asks whether the current credentials may do `attributes` (SelfSubjectAccessReview). Every
    /// authenticated user may ask this about themselves (the `system:basic-user` role), so it needs no
    /// permission of its own; the review is answered, never stored.
    public func accessReview(_ attributes: ResourceAttributes) async throws(APIError) -> AccessDecision {
        struct Review: Encodable {
            struct Spec: Encodable { var resourceAttributes: ResourceAttributes }
            var apiVersion = "authorization.k8s.io/v1"
            var kind = "SelfSubjectAccessReview"
            var spec: Spec
        }
        // Only the status is read back: the server echoes the spec without its empty fields.
        struct Answer: Decodable {
            struct Status: Decodable {
                var allowed: Bool
                var reason: String?
                var evaluationError: String?
            }
            var status: Status?
        }
        let path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
        let answer = try decode(Answer.self, from: try await post(path, json: Review(spec: .init(resourceAttributes: attributes))), path: path)
        guard let status = answer.status else {
            throw .decoding(path: path, message: "the review came back without a status")
        }
        let reason = [status.reason, status.evaluationError].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "; ")
        return AccessDecision(allowed: status.allowed, reason: reason.isEmpty ? nil : reason)
    }
}
