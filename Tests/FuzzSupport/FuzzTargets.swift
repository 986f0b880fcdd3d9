import Audit
import Documents
import Foundation
import Inventory
import KubeClient

/// The inputs Lookout reads from files and from the cluster, each run the way the CLI runs it, with
/// the fuzzing oracle: no trap and no hang (both kill or stall the run), and a bad input ends in an
/// error that names the file and the line. The seeded fuzzer (FuzzTests) and the libFuzzer entry
/// point (lookout-fuzz) share them.
public enum FuzzOutcome: Equatable, Sendable {
    case accepted
    case rejected
    /// What broke the oracle.
    case broken(String)
}

public enum FuzzTargets {
    /// Errors about the file as a whole, which have no line to name.
    static let wholeFileErrors = [
        "the file is empty", "expected one document", "a saved snapshot cannot be combined", "namespace filters apply",
    ]

    /// A rejection when the error names one of `files` and a line (or is about a whole file).
    public static func rejection(_ error: ConfigError, of files: [String]) -> FuzzOutcome {
        guard let file = error.file, files.contains(file) else {
            return .broken("the error names \(error.file ?? "no file"), not the input (\(files.joined(separator: ", "))): \(error)")
        }
        if error.line == nil, !wholeFileErrors.contains(where: error.message.hasPrefix) {
            return .broken("the error names no line: \(error)")
        }
        return .rejected
    }

    /// The YAML reader and the resolution to JSON every loader builds on; the error's line is inside the text.
    public static func yaml(_ bytes: [UInt8]) -> FuzzOutcome {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            for document in try YAML.parseDocuments(text, file: "fuzz.yaml") {
                _ = document.resolved()
                _ = try? document.jsonData()
            }
            return .accepted
        } catch {
            let lines = text.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
            if error.line < 1 || error.line > lines + 1 || error.column < 1 {
                return .broken("line \(error.line), column \(error.column) is outside the \(lines)-line input: \(error)")
            }
            return .rejected
        }
    }

    /// The kubeconfig loader (`--kubeconfig`, `KUBECONFIG`).
    public static func kubeconfig(_ bytes: [UInt8]) -> FuzzOutcome {
        do {
            _ = try Kubeconfig.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz-kubeconfig", baseDirectory: "/nonexistent")
            return .accepted
        } catch {
            return rejection(error, of: ["fuzz-kubeconfig"])
        }
    }

    /// `--from FILE`: manifests, `kubectl get -o json|yaml` dumps and saved snapshots, told apart by
    /// the loader itself; what loads is then audited by every control, as `scan --from` does.
    public static func inputFile(_ bytes: [UInt8], in directory: String) -> FuzzOutcome {
        let file = directory + (bytes.first { !$0.isWhitespace } == UInt8(ascii: "{") ? "/input.json" : "/input.yaml")
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else { return .broken("cannot write \(file)") }
        defer { try? FileManager.default.removeItem(atPath: file) }
        return load(file, naming: [file])
    }

    /// `--from FOLDER`: the mutated file among valid ones in nested folders.
    public static func folder(_ bytes: [UInt8], seeds: [[UInt8]], in directory: String) -> FuzzOutcome {
        let root = directory + "/folder"
        let files = [root + "/a/input.yaml", root + "/b/c/seed.yaml", root + "/seed.json"]
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (index, file) in files.enumerated() {
            try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let contents = index == 0 ? bytes : seeds[(bytes.count + index) % seeds.count]
            guard FileManager.default.createFile(atPath: file, contents: Data(contents)) else { return .broken("cannot write \(file)") }
        }
        return load(root, naming: files)
    }

    static func load(_ path: String, naming files: [String]) -> FuzzOutcome {
        do {
            audit(try ManifestLoader.load(path: path).snapshot)
            return .accepted
        } catch {
            return rejection(error, of: files)
        }
    }

    /// The model of `kind` decoded from a LIST page the API server sent, as the collector decodes it,
    /// then audited. A decoding error is the collector's to report; a trap, or a page the direct
    /// decoder reads otherwise than `JSONDecoder`, breaks the oracle.
    public static func objects(_ bytes: [UInt8], kind: ResourceKind) -> FuzzOutcome {
        struct DecodePage: SnapshotFieldVisitor {
            let bytes: [UInt8]
            var snapshot: ClusterSnapshot
            mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> FuzzOutcome {
                if case .broken(let problem) = FuzzTargets.decodersAgree(Page<Object>.self, bytes) { return .broken(problem) }
                guard let items = (try? DirectJSONDecoder().decode(Page<Object>.self, from: Data(bytes)))?.items else { return .rejected }
                snapshot[keyPath: field.path] = NamespaceScope().stored(items, of: field.kind)
                return .accepted
            }
        }
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://fuzz.invalid"))
        snapshot.collected = Set(ResourceKind.allCases)
        var page = DecodePage(bytes: bytes, snapshot: snapshot)
        let outcome = kind.visitField(&page)
        guard outcome == .accepted else { return outcome }
        audit(page.snapshot)
        return .accepted
    }

    struct Page<Item: Codable>: Codable {
        var items: [Item]
    }

    /// Any JSON through the direct decoder's every container and `try?` fallbacks, against `JSONDecoder`.
    public static func json(_ bytes: [UInt8]) -> FuzzOutcome {
        decodersAgree(JSONTree.self, bytes)
    }

    /// Where the direct decoder decides, `JSONDecoder` decodes the same value (compared as sorted JSON).
    static func decodersAgree<T: Codable>(_ type: T.Type, _ bytes: [UInt8]) -> FuzzOutcome {
        let data = Data(bytes)
        let reference = try? JSONDecoder().decode(type, from: data)
        guard let direct = DirectJSONDecoder().decodeDirectly(type, from: data) else { return reference == nil ? .rejected : .accepted }
        guard let reference else { return .broken("the direct decoder decodes what JSONDecoder refuses") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let directJSON = try? encoder.encode(direct), let referenceJSON = try? encoder.encode(reference) else {
            return .broken("a decoded value does not encode")
        }
        guard directJSON == referenceJSON else {
            return .broken("the decoders differ:\n direct: \(String(decoding: directJSON, as: UTF8.self).prefix(1000))\n JSONDecoder: \(String(decoding: referenceJSON, as: UTF8.self).prefix(1000))")
        }
        return .accepted
    }

    /// A JSON value as the models read one: `try?` from one type to the next, as IntOrString and the
    /// last-applied configuration do.
    indirect enum JSONTree: Codable {
        case object([String: JSONTree])
        case array([JSONTree])
        case string(String)
        case int(Int)
        case bool(Bool)
        case null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let object = try? container.decode([String: JSONTree].self) {
                self = .object(object)
            } else if let array = try? container.decode([JSONTree].self) {
                self = .array(array)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let int = try? container.decode(Int.self) {
                self = .int(int)
            } else {
                self = .bool(try container.decode(Bool.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .object(let object): try container.encode(object)
            case .array(let array): try container.encode(array)
            case .string(let string): try container.encode(string)
            case .int(let int): try container.encode(int)
            case .bool(let bool): try container.encode(bool)
            case .null: try container.encodeNil()
            }
        }
    }

    /// Every control over the snapshot: hostile values must not trap a control either.
    static func audit(_ snapshot: ClusterSnapshot) {
        _ = Auditor.run(Catalogue.controls, frameworks: [], in: AuditContext(snapshot: snapshot))
    }
}

extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
