import Documents
import FoundationEssentials

/// `kubectl apply` stores the whole object it applied in this annotation: env values and ConfigMap data
/// in clear, secrets included. Controls read only the `serviceAccount` fields the author wrote (C-0294),
/// so an object keeps just those, as JSON at their paths, from the moment it is decoded: no snapshot,
/// report or in-memory copy holds the rest.
enum LastAppliedConfiguration {
    static let annotation = "kubectl.kubernetes.io/last-applied-configuration"
    static let keptField = "serviceAccount"

    /// Objects down to string fields: lists and other values hold no `serviceAccount` a control reads.
    indirect enum Node: Codable {
        case object([String: Node])
        case string(String)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let object = try? container.decode([String: Node].self) {
                self = .object(object)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else {
                self = .other
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .object(let object): try container.encode(object)
            case .string(let string): try container.encode(string)
            case .other: try container.encodeNil()
            }
        }

        /// The object with only the paths that lead to a `serviceAccount` string; nil when none does.
        var pruned: Node? {
            guard case .object(let object) = self else { return nil }
            var kept: [String: Node] = [:]
            for (key, value) in object {
                if key == keptField, case .string = value {
                    kept[key] = value
                } else if let inner = value.pruned {
                    kept[key] = inner
                }
            }
            return kept.isEmpty ? nil : .object(kept)
        }
    }

    /// The annotation's text reduced to its `serviceAccount` fields; nil when it holds none (or is not JSON).
    static func pruned(_ text: String) -> String? {
        guard let node = try? DirectJSONDecoder().decode(Node.self, from: Data(text.utf8)), let pruned = node.pruned else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(pruned)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `annotations` with the last-applied configuration pruned, or dropped when nothing of it is read.
    static func pruning(_ annotations: [String: String]?) -> [String: String]? {
        guard var annotations, let text = annotations[annotation] else { return annotations }
        annotations[annotation] = pruned(text)
        return annotations
    }
}

extension ObjectMeta {
    /// The `serviceAccount` field the author wrote in the pod spec at `podSpecPath` (`spec.template.spec`),
    /// per `kubectl apply`'s last-applied configuration; nil without the annotation or the field.
    public func appliedServiceAccount(podSpecPath: String) -> String? {
        guard let text = annotations?[LastAppliedConfiguration.annotation],
            var node = try? DirectJSONDecoder().decode(LastAppliedConfiguration.Node.self, from: Data(text.utf8))
        else { return nil }
        for key in podSpecPath.split(separator: ".") {
            guard case .object(let object) = node, let next = object[String(key)] else { return nil }
            node = next
        }
        guard case .object(let object) = node, case .string(let name)? = object[LastAppliedConfiguration.keptField] else { return nil }
        return name
    }
}
