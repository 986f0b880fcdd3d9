import FoundationEssentials

/// The payload of a ConfigMap. `binaryData` values travel base64-encoded, which is `Data`'s own
/// Codable form, so they decode and encode without a conversion step.
public struct ConfigMapContents: Codable, Sendable, Hashable {
    public var data: [String: String]
    public var binaryData: [String: Data]

    public init(data: [String: String] = [:], binaryData: [String: Data] = [:]) {
        self.data = data
        self.binaryData = binaryData
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = try container.decodeIfPresent([String: String].self, forKey: .data) ?? [:]
        binaryData = try container.decodeIfPresent([String: Data].self, forKey: .binaryData) ?? [:]
    }
}

extension KubeAPI {
    static func configMapPath(namespace: String, name: String? = nil) -> String {
        "/api/v1/namespaces/\(percentEncoded(namespace))/configmaps" + (name.map { "/\(percentEncoded($0))" } ?? "")
    }

    /// The ConfigMap's payload, or nil when it does not exist.
    public func configMap(namespace: String, name: String) async throws(APIError) -> ConfigMapContents? {
        let path = Self.configMapPath(namespace: namespace, name: name)
        do {
            return try decode(ConfigMapContents.self, from: try await get(path), path: path)
        } catch .notFound {
            return nil
        }
    }

    /// Sets the given keys of one ConfigMap; a nil value removes its key. The rest of the object (other
    /// keys, annotations, labels not named here) is left alone, so `kubectl apply` of the shipped empty
    /// ConfigMap and Lookout's writes never undo each other. A missing ConfigMap is created, which needs
    /// `create` on configmaps: RBAC cannot limit `create` to one name, so rbac/ ships the object instead.
    /// An existing ConfigMap must already carry `labels`: with an admin kubeconfig, a mistyped name
    /// (`coredns` in kube-system) would otherwise overwrite someone else's configuration. The patch
    /// names the resourceVersion that was checked, so an object replaced in between is not written.
    public func writeConfigMap(
        namespace: String, name: String, labels: [String: String], data: [String: String?], binaryData: [String: Data?]
    ) async throws(APIError) {
        struct Existing: Decodable {
            struct Metadata: Decodable {
                var labels: [String: String]?
                var resourceVersion: String?
            }
            var metadata: Metadata
        }
        struct Object: Encodable {
            struct Metadata: Encodable {
                var name: String?
                var namespace: String?
                var labels: [String: String]
                var resourceVersion: String?
            }
            var apiVersion: String?
            var kind: String?
            var metadata: Metadata
            var data: [String: String?]
            var binaryData: [String: Data?]
        }
        let path = Self.configMapPath(namespace: namespace, name: name)
        // Twice at most: a 409 on creation means it was created meanwhile (by someone else, or by our
        // own retried POST whose answer was lost), and it is judged like any existing object.
        for _ in 0..<2 {
            let existing: Existing?
            do {
                existing = try decode(Existing.self, from: try await get(path), path: path)
            } catch .notFound {
                existing = nil
            }
            if let existing {
                guard labels.allSatisfy({ existing.metadata.labels?[$0.key] == $0.value }) else {
                    let wanted = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                    throw .refused(
                        "ConfigMap \(namespace)/\(name) exists and was not created by Lookout (it lacks the labels \(wanted)); refusing to overwrite it: choose another name, or label it if it is Lookout's")
                }
                let patch = Object(
                    metadata: .init(labels: labels, resourceVersion: existing.metadata.resourceVersion), data: data,
                    binaryData: binaryData)
                _ = try await mergePatch(path, json: patch)
                return
            }
            let object = Object(
                apiVersion: "v1", kind: "ConfigMap", metadata: .init(name: name, namespace: namespace, labels: labels),
                data: data.compactMapValues { $0 }, binaryData: binaryData.compactMapValues { $0 })
            do {
                _ = try await post(Self.configMapPath(namespace: namespace), json: object)
                return
            } catch .http(status: 409, _, _) {}
        }
        throw .refused("ConfigMap \(namespace)/\(name) keeps changing while Lookout writes it; not written")
    }
}
