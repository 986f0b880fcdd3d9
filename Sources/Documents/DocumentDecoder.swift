import FoundationEssentials

/// Decodes YAML or JSON files (exceptions, controls configuration, manifests) into Decodable values,
/// turning a decoding failure into a ConfigError that names the file, the line and the field.
public enum DocumentDecoder {
    /// Every document of the file, each decoded as `T`.
    public static func decodeDocuments<T: Decodable>(_ type: T.Type, text: String, file: String) throws(ConfigError) -> [T] {
        let documents: [YAMLNode]
        do {
            documents = try YAML.parseDocuments(text, file: file)
        } catch {
            throw ConfigError(file: file, line: error.line, column: error.column, message: error.message)
        }
        var values: [T] = []
        for document in documents where !document.isNull {
            values.append(try decode(type, node: document, file: file))
        }
        return values
    }

    /// The file's single document as `T`.
    public static func decode<T: Decodable>(_ type: T.Type, path: String) throws(ConfigError) -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "cannot read the file (missing or not readable)")
        }
        let documents = try decodeDocuments(type, text: String(decoding: data, as: UTF8.self), file: path)
        guard documents.count == 1, let value = documents.first else {
            throw ConfigError(file: path, message: documents.isEmpty ? "the file is empty" : "expected one document, found \(documents.count)")
        }
        return value
    }

    public static func decode<T: Decodable>(_ type: T.Type, node: YAMLNode, file: String) throws(ConfigError) -> T {
        let json: Data
        do {
            json = try node.jsonData()
        } catch {
            throw ConfigError(file: file, line: error.line, column: error.column, message: error.message)
        }
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch let error as DecodingError {
            throw locate(error, in: node, file: file)
        } catch {
            throw ConfigError(file: file, line: node.mark.line, column: node.mark.column, message: "\(error)")
        }
    }

    /// The node at a field path such as `resources[0].attributes.name`, or the deepest one found.
    public static func node(at path: String, in root: YAMLNode) -> YAMLNode {
        var node = root
        for component in path.split(separator: ".") {
            var name = Substring(component)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.last == "]", let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) {
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty {
                guard let child = node[String(name)] else { return node }
                node = child
            }
            for index in indexes {
                guard let items = node.sequence, index < items.count else { return node }
                node = items[index]
            }
        }
        return node
    }

    /// Walks the coding path through the YAML tree to the node that failed.
    static func locate(_ error: DecodingError, in root: YAMLNode, file: String) -> ConfigError {
        let path: [any CodingKey]
        let message: String
        switch error {
        case .typeMismatch(let type, let context):
            path = context.codingPath
            message = "expected \(describe(type))"
        case .valueNotFound(let type, let context):
            path = context.codingPath
            message = "expected \(describe(type)), found nothing"
        case .keyNotFound(let key, let context):
            path = context.codingPath
            message = "missing field \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            path = context.codingPath
            message = context.debugDescription
        @unknown default:
            path = []
            message = "\(error)"
        }
        var node = root
        var field = ""
        for key in path {
            if let index = key.intValue, let items = node.sequence {
                guard index < items.count else { break }
                node = items[index]
                field += "[\(index)]"
            } else if let child = node[key.stringValue] {
                node = child
                field += field.isEmpty ? key.stringValue : ".\(key.stringValue)"
            } else {
                break
            }
        }
        return ConfigError(
            file: file, line: node.mark.line, column: node.mark.column, field: field.isEmpty ? nil : field, message: message)
    }

    static func describe(_ type: Any.Type) -> String {
        if type is String.Type { return "a string" }
        if type is Bool.Type { return "true or false" }
        if type is Int.Type || type is Double.Type { return "a number" }
        let name = "\(type)"
        if name.hasPrefix("Array") { return "a list" }
        if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "a mapping" }
        return "a value of type \(name)"
    }
}
