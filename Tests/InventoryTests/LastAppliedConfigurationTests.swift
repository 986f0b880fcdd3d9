import Foundation
@testable import Inventory
import Testing

/// Issue 11, defect 3: kubectl's last-applied configuration holds the applied object whole, env values
/// and ConfigMap data included; an object keeps only the `serviceAccount` fields C-0294 reads.
@Suite struct LastAppliedConfigurationTests {
    static func deployment(annotation: String) throws -> Deployment {
        let object: [String: Any] = [
            "metadata": ["name": "web", "namespace": "shop", "annotations": ["team": "a", LastAppliedConfiguration.annotation: annotation]],
            "spec": ["selector": ["matchLabels": ["app": "web"]], "template": ["spec": ["containers": [["name": "web"]]]]],
        ]
        return try JSONDecoder().decode(Deployment.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func onlyTheServiceAccountFieldsAreKept() throws {
        let applied = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{"x":"y"}},
             "spec":{"template":{"spec":{"serviceAccount":"builder","containers":[{"name":"web",
             "env":[{"name":"DB_PASSWORD","value":"leak-4f1a"}]}]}}}}
            """
        let decoded = try Self.deployment(annotation: applied)
        let kept = try #require(decoded.metadata.annotations?[LastAppliedConfiguration.annotation])
        #expect(kept == #"{"spec":{"template":{"spec":{"serviceAccount":"builder"}}}}"#)
        #expect(decoded.metadata.annotations?["team"] == "a")
        #expect(decoded.metadata.appliedServiceAccount(podSpecPath: "spec.template.spec") == "builder")
        #expect(decoded.metadata.appliedServiceAccount(podSpecPath: "spec") == nil)
        // Saved and read back (a snapshot), it stays the same.
        let again = try JSONDecoder().decode(Deployment.self, from: JSONEncoder().encode(decoded))
        #expect(again.metadata.annotations == decoded.metadata.annotations)
    }

    /// Without a `serviceAccount` string (or not JSON at all) nothing of the annotation is read: it goes.
    @Test(arguments: [
        #"{"kind":"ConfigMap","data":{"password":"leak-4f1a"}}"#, #"{"spec":{"serviceAccount":7}}"#, "not json", #""text""#,
    ])
    func annotationsWithNothingReadAreDropped(annotation: String) throws {
        let decoded = try Self.deployment(annotation: annotation)
        #expect(decoded.metadata.annotations == ["team": "a"])
        #expect(decoded.metadata.appliedServiceAccount(podSpecPath: "spec") == nil)
    }

    /// Objects built in memory (unit-test fixtures) keep the whole annotation and are read the same way.
    @Test func theFullAnnotationIsReadTheSameWay() {
        let meta = ObjectMeta(name: "web", annotations: [
            LastAppliedConfiguration.annotation: #"{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"serviceAccount":"ci","containers":[]}}}}}}"#,
        ])
        #expect(meta.appliedServiceAccount(podSpecPath: "spec.jobTemplate.spec.template.spec") == "ci")
    }
}
