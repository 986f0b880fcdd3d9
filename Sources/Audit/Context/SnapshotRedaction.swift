import Inventory

/// What `lookout collect` does to a snapshot before it saves it: literal env values and ConfigMap data
/// values that look like credentials under its controls configuration or the default one (a sensitive key
/// name in their name, a sensitive pattern in their text) are replaced by what the credential controls
/// learn from them, so an offline scan gives the same findings without the value in the file.
public struct SnapshotRedactor: Sendable {
    let detector: CredentialDetector
    let rules: RedactionRules

    /// Fails naming the field and pattern when a pattern of `config` is not a valid regular expression.
    public init(config: ControlsConfig) throws {
        let defaults = ControlsConfig()
        var merged = config
        merged.sensitiveKeyNames = Self.union(defaults.sensitiveKeyNames, config.sensitiveKeyNames)
        merged.sensitiveValues = Self.union(defaults.sensitiveValues, config.sensitiveValues)
        merged.sensitiveValuesAllowed = Self.union(defaults.sensitiveValuesAllowed, config.sensitiveValuesAllowed)
        detector = try CredentialDetector(merged)
        rules = RedactionRules(sensitiveValues: merged.sensitiveValues, sensitiveValuesAllowed: merged.sensitiveValuesAllowed)
    }

    public func redact(_ snapshot: inout ClusterSnapshot) {
        snapshot.updatePodSpecs { spec in
            spec.updateContainers { container in
                for index in (container.env ?? []).indices {
                    let variable = container.env![index]
                    guard variable.valueFrom == nil, let value = variable.value,
                        let redacted = detector.redaction(name: variable.name, value: value)
                    else { continue }
                    container.env![index].value = nil
                    container.env![index].redacted = redacted
                }
            }
        }
        for index in snapshot.configMaps.indices {
            for (key, value) in snapshot.configMaps[index].data ?? [:] {
                guard let redacted = detector.redaction(name: key, value: value) else { continue }
                snapshot.configMaps[index].data![key] = nil
                snapshot.configMaps[index].redactedData = (snapshot.configMaps[index].redactedData ?? [:]).merging([key: redacted]) { $1 }
            }
        }
        snapshot.redaction = rules
    }

    /// Objects of one kind as `redact` leaves them in a snapshot: `lookout collect` redacts each page of
    /// objects as it is listed, through the same code as a whole snapshot.
    public func redact<Object: KubeObject>(_ objects: [Object], of field: SnapshotField<Object>) -> [Object] {
        var part = ClusterSnapshot(cluster: ClusterInfo(server: ""))
        part[keyPath: field.path] = objects
        redact(&part)
        return part[keyPath: field.path]
    }

    private static func union(_ first: [String], _ second: [String]) -> [String] {
        first + second.filter { !first.contains($0) }
    }
}

extension AuditContext {
    /// Why the credential controls cannot judge the values `lookout collect` redacted in what they read (the
    /// workloads, and the ConfigMaps when `configMaps`): this scan's configuration names a pattern they
    /// were not checked against. Nil when they can, or when nothing was redacted.
    func unjudgedRedactionReason(_ detector: CredentialDetector, configMaps: Bool) -> String? {
        guard let pattern = detector.patternUnchecked(by: snapshot.redaction) else { return nil }
        let redacted =
            workloads.contains { $0.podSpec.allContainers.contains { $0.container.env?.contains { $0.redacted != nil } ?? false } }
            || (configMaps && snapshot.configMaps.contains { !($0.redactedData ?? [:]).isEmpty })
        guard redacted else { return nil }
        return "the snapshot's redacted values were not checked against pattern \"\(pattern)\": "
            + "collect again with this controls configuration (lookout collect --controls-config)"
    }
}
