import FoundationEssentials

/// The only requests Lookout sends that carry a body. None of them changes the cluster's workloads or
/// permissions: access reviews are questions, and the ConfigMap calls touch only the report object the
/// user names with `--report-configmap`.
extension KubeAPI {
    /// POST a JSON object and return the body of the 2xx answer.
    public func post<Body: Encodable>(_ path: String, json body: Body) async throws(APIError) -> Data {
        try await send("POST", path, body: try encode(body, path: path), contentType: "application/json")
    }

    /// PATCH with a JSON merge patch (RFC 7386): only the keys present in `body` change, so labels,
    /// annotations and data keys written by others (kubectl apply, a human) survive.
    public func mergePatch<Body: Encodable>(_ path: String, json body: Body) async throws(APIError) -> Data {
        try await send("PATCH", path, body: try encode(body, path: path), contentType: "application/merge-patch+json")
    }

    private func encode<Body: Encodable>(_ body: Body, path: String) throws(APIError) -> Data {
        do {
            return try JSONEncoder().encode(body)
        } catch {
            throw .encoding(path: path, message: "\(error)")
        }
    }
}
