import Audit
import Documents
import FoundationEssentials

/// The user's input files: exceptions and controls configuration, YAML or JSON. Every error names
/// the file, line and field.
enum InputFiles {
    /// Kubescape's exception file: a list of posture exception policies (JSON or YAML), or several
    /// YAML documents each holding a list or one policy.
    /// `resourcePattern` may refuse a resource designator's pattern with a reason (the admission gate
    /// runs them with RE2, which lacks some constructs).
    static func exceptions(path: String, resourcePattern: (String) -> String? = { _ in nil }) throws(ConfigError) -> [PostureException] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the file (missing or not readable)")
        }
        let documents: [YAMLNode]
        do {
            documents = try YAML.parseDocuments(String(decoding: data, as: UTF8.self), file: path)
        } catch {
            throw ConfigError(file: path, line: error.line, column: error.column, message: error.message)
        }
        var exceptions: [PostureException] = []
        for document in documents where !document.isNull {
            for node in document.sequence ?? [document] {
                let exception = try DocumentDecoder.decode(PostureException.self, node: node, file: path)
                for (field, pattern) in exception.patterns {
                    let problem = (try? Regex(pattern)) == nil
                        ? "is not a valid regular expression"
                        : field.hasPrefix("resources[") && !field.hasSuffix(".cluster") ? resourcePattern(pattern) : nil
                    guard let problem else { continue }
                    let at = DocumentDecoder.node(at: field, in: node).mark
                    throw ConfigError(file: path, line: at.line, column: at.column, field: field, message: "\"\(pattern)\" \(problem)")
                }
                if exception.resources?.isEmpty ?? true {
                    throw ConfigError(
                        file: path, line: node.mark.line, column: node.mark.column, field: "resources",
                        message: "exception \"\(exception.name)\" names no resources")
                }
                exceptions.append(exception)
            }
        }
        return exceptions
    }

    /// The controls configuration in any shape `ControlsConfig.load` accepts.
    static func controlsConfig(path: String) throws(ConfigError) -> ControlsConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the file (missing or not readable)")
        }
        let root: YAMLNode
        do {
            guard let first = try YAML.parseDocuments(String(decoding: data, as: UTF8.self), file: path).first else {
                return ControlsConfig()
            }
            root = first
        } catch {
            throw ConfigError(file: path, line: error.line, column: error.column, message: error.message)
        }
        return try ControlsConfig.load(root: root, file: path)
    }
}
