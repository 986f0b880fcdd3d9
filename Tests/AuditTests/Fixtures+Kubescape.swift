@testable import Audit
import Foundation
import Inventory
import Documents

/// Inputs in the shape of Kubescape's rule tests (regolibrary `rules/<rule>/test/<case>/input/*.yaml`
/// and `data.json`): manifests read by the same loader as `scan --from`, and controls configuration
/// read by the same code as `--controls-config`.
enum KubescapeInput {
    /// The objects of the YAML documents, read as `scan --from` reads manifests: every kind counts as
    /// read, as a rule test's input is the whole cluster the rule sees.
    static func snapshot(_ yaml: String) throws -> ClusterSnapshot {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-parity-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/input.yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return try ManifestLoader.load(path: file).snapshot
    }

    /// A controls configuration file's text (`data.json` of a rule test, or any other shape).
    static func config(_ text: String, file: String = "controls.json") throws(ConfigError) -> ControlsConfig {
        let root: YAMLNode
        do {
            guard let first = try YAML.parseDocuments(text, file: file).first else { return ControlsConfig() }
            root = first
        } catch {
            throw ConfigError(file: file, line: error.line, column: error.column, message: error.message)
        }
        return try ControlsConfig.load(root: root, file: file)
    }

    /// Runs a control on the rule test's input and configuration.
    static func run(_ control: Control, _ yaml: String, config: String? = nil) throws
        -> (failed: [ResourceRef], all: [ResourceRef], skipped: String?, verdicts: [ResourceVerdict])
    {
        Fixture.run(control, on: try snapshot(yaml), config: try config.map { try Self.config($0) } ?? ControlsConfig())
    }
}
