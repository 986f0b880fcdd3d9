import Inventory

/// A Kubernetes resource quantity ("500m", "1.5", "512Mi", "1G", "2e3"), read with the API's grammar:
/// a signed decimal number, then a binary suffix (Ki…Ei), a decimal suffix (m, k, M…E) or a decimal
/// exponent (e3, E-2).
struct ResourceQuantity: Comparable, Sendable, CustomStringConvertible {
    /// As written, for evidence.
    let text: String
    /// In base units: cores for CPU, bytes for memory.
    let value: Double

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa = 0.0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + Double(byte - UInt8(ascii: "0"))
                digits += 1
                if seenPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0,
              let (decimalExponent, binaryExponent) = Self.suffix(String(decoding: bytes[index...], as: UTF8.self))
        else { return nil }
        let exponent = decimalExponent - fractionDigits
        guard abs(exponent) <= 308 else { return nil }
        // One multiplication or division by an exact power of ten rounds once, so "100m" and "0.1"
        // come out as the same Double.
        var value = exponent >= 0 ? mantissa * Self.powerOfTen(exponent) : mantissa / Self.powerOfTen(-exponent)
        value *= Double(sign: .plus, exponent: binaryExponent, significand: 1)
        self.text = text
        self.value = negative ? -value : value
    }

    /// (power of ten, power of two) of a suffix; nil when it is not one Kubernetes accepts.
    private static func suffix(_ suffix: String) -> (Int, Int)? {
        switch suffix {
        case "": return (0, 0)
        case "m": return (-3, 0)
        case "k": return (3, 0)
        case "M": return (6, 0)
        case "G": return (9, 0)
        case "T": return (12, 0)
        case "P": return (15, 0)
        case "E": return (18, 0)
        case "Ki": return (0, 10)
        case "Mi": return (0, 20)
        case "Gi": return (0, 30)
        case "Ti": return (0, 40)
        case "Pi": return (0, 50)
        case "Ei": return (0, 60)
        default:
            guard let first = suffix.first, first == "e" || first == "E" else { return nil }
            var exponent = suffix.dropFirst()
            var negative = false
            if let sign = exponent.first, sign == "+" || sign == "-" {
                negative = sign == "-"
                exponent = exponent.dropFirst()
            }
            guard !exponent.isEmpty, exponent.count <= 4, exponent.allSatisfy(\.isASCII), exponent.allSatisfy(\.isNumber),
                  let value = Int(exponent)
            else { return nil }
            return (negative ? -value : value, 0)
        }
    }

    private static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    var description: String { text }

    static func < (lhs: ResourceQuantity, rhs: ResourceQuantity) -> Bool { lhs.value < rhs.value }
    static func == (lhs: ResourceQuantity, rhs: ResourceQuantity) -> Bool { lhs.value == rhs.value }
}

extension WorkloadHygieneControls {
    static let resourceControls: [Control] = [
        resourceLimits, cpuLimitAndRequest, memoryLimitAndRequest, cpuLimits, memoryLimits, cpuRequests,
        memoryRequests,
    ]

    /// A `resources.<section>.<resource>` field a control requires, with the controls-config bounds it
    /// must stay within (none for the presence-only controls).
    struct ResourceField {
        var section: String
        var resource: String
        var minimum: ResourceBound? = nil
        var maximum: ResourceBound? = nil
    }

    /// A controls-config list of quantities (`cpu_limit_max`…): every entry is a bound, as Kubescape reads it.
    struct ResourceBound {
        var key: String
        var values: [String]
    }

    /// The containers whose resources are checked: regular and init containers. Ephemeral containers
    /// are left out because the API rejects `resources` on them.
    static func resourcedContainers(of workload: Workload) -> [(path: String, container: Container)] {
        workload.podSpec.allContainers.filter { !$0.path.hasPrefix("ephemeralContainers") }
    }

    /// One evidence line per required field that is missing, is not a quantity, or falls outside a bound.
    static func resourceEvidence(_ fields: [ResourceField], workload: Workload, path: String, container: Container) -> [String] {
        var evidence: [String] = []
        for field in fields {
            let fieldPath = workload.path(path, "resources.\(field.section).\(field.resource)")
            let values = field.section == "limits" ? container.resources?.limits : container.resources?.requests
            guard let text = values?[field.resource] else {
                evidence.append("\(fieldPath) is not set")
                continue
            }
            let bounds = [field.minimum.map { ($0, true) }, field.maximum.map { ($0, false) }].compactMap { $0 }
            guard bounds.contains(where: { !$0.0.values.isEmpty }) else { continue }
            guard let quantity = ResourceQuantity(text) else {
                evidence.append("\(fieldPath)=\(text) is not a Kubernetes quantity")
                continue
            }
            for (bound, isMinimum) in bounds {
                for limitText in bound.values {
                    guard let limit = ResourceQuantity(limitText) else {
                        evidence.append("\(fieldPath)=\(text) cannot be compared with \(bound.key) \"\(limitText)\" from controls-config: not a Kubernetes quantity")
                        continue
                    }
                    if isMinimum, quantity < limit { evidence.append("\(fieldPath)=\(text) is below \(bound.key) \(limitText)") }
                    if !isMinimum, quantity > limit { evidence.append("\(fieldPath)=\(text) is above \(bound.key) \(limitText)") }
                }
            }
        }
        return evidence
    }

    /// The shared body of the resource controls: a workload fails when one of its containers misses a
    /// field or breaks a bound.
    static func resourceFailure(_ workload: Workload, _ problem: String, fields: [ResourceField]) -> Failure? {
        let evidence = resourcedContainers(of: workload).flatMap {
            resourceEvidence(fields, workload: workload, path: $0.path, container: $0.container)
        }
        return evidence.isEmpty ? nil : Failure(message: "\(workload.kind) \(workload.name) \(problem)", evidence: evidence)
    }

    static let resourceNotes = "Checks init containers as well as regular ones (Kubescape checks `containers` only); ephemeral containers are left out because the API does not allow them resources."

    static let resourceLimits = Control(
        id: "C-0009", name: "Resource limits", baseScore: 7, frameworks: [],
        description: "Fails a workload with a container (init containers included) that sets no CPU limit or no memory limit.",
        rationale: "A container without limits can take every CPU cycle and all the memory of its node: one compromised or runaway pod starves its neighbours, and a crypto-miner runs at full speed.",
        remediation: "Set `resources.limits.cpu` and `resources.limits.memory` on every container, or give the namespace a LimitRange with defaults.",
        example: "resources:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: {cpu: 500m, memory: 256Mi}",
        reads: workloadKinds, notes: resourceNotes
    ) { context in
        context.evaluateWorkloads {
            resourceFailure($0, "has a container without CPU or memory limits", fields: [
                ResourceField(section: "limits", resource: "cpu"), ResourceField(section: "limits", resource: "memory"),
            ])
        }
    }

    static let cpuLimitAndRequest = Control(
        id: "C-0050", name: "Resources CPU limit and request", baseScore: 8, frameworks: [],
        description: "Fails a workload with a container that sets no CPU limit or no CPU request, or one outside the `cpu_limit_min/max` and `cpu_request_min/max` bounds of the controls configuration.",
        rationale: "Without a CPU request the scheduler packs pods blindly, and without a limit one container can monopolise the node's CPU and deny service to every other pod on it.",
        remediation: "Set `resources.requests.cpu` and `resources.limits.cpu` on every container, within the bounds your platform team set.",
        example: "resources:\n  requests: {cpu: 250m}\n  limits: {cpu: \"1\"}",
        reads: workloadKinds,
        notes: resourceNotes + " Quantities are compared by value in any unit (\"500m\" < \"1\" < \"1.5\"); Kubescape compares them as strings when units match. A quantity that cannot be parsed is reported as evidence."
    ) { context in
        let config = context.config
        let fields = [
            ResourceField(
                section: "limits", resource: "cpu", minimum: ResourceBound(key: "cpu_limit_min", values: config.cpuLimitMin),
                maximum: ResourceBound(key: "cpu_limit_max", values: config.cpuLimitMax)),
            ResourceField(
                section: "requests", resource: "cpu", minimum: ResourceBound(key: "cpu_request_min", values: config.cpuRequestMin),
                maximum: ResourceBound(key: "cpu_request_max", values: config.cpuRequestMax)),
        ]
        return context.evaluateWorkloads { resourceFailure($0, "has a container without a CPU limit and request within bounds", fields: fields) }
    }

    static let memoryLimitAndRequest = Control(
        id: "C-0004", name: "Resources memory limit and request", baseScore: 8, frameworks: [],
        description: "Fails a workload with a container that sets no memory limit or no memory request, or one outside the `memory_limit_min/max` and `memory_request_min/max` bounds of the controls configuration.",
        rationale: "A container without a memory limit can exhaust its node's memory; the kernel's OOM killer then kills other pods. Without a request the scheduler overcommits the node.",
        remediation: "Set `resources.requests.memory` and `resources.limits.memory` on every container, within the bounds your platform team set.",
        example: "resources:\n  requests: {memory: 256Mi}\n  limits: {memory: 512Mi}",
        reads: workloadKinds,
        notes: resourceNotes + " Quantities are compared by value in any unit (\"1Gi\" > \"1G\" > \"512Mi\"); Kubescape compares them as strings when units match. A quantity that cannot be parsed is reported as evidence."
    ) { context in
        let config = context.config
        let fields = [
            ResourceField(
                section: "limits", resource: "memory", minimum: ResourceBound(key: "memory_limit_min", values: config.memoryLimitMin),
                maximum: ResourceBound(key: "memory_limit_max", values: config.memoryLimitMax)),
            ResourceField(
                section: "requests", resource: "memory",
                minimum: ResourceBound(key: "memory_request_min", values: config.memoryRequestMin),
                maximum: ResourceBound(key: "memory_request_max", values: config.memoryRequestMax)),
        ]
        return context.evaluateWorkloads { resourceFailure($0, "has a container without a memory limit and request within bounds", fields: fields) }
    }

    static let cpuLimits = Control(
        id: "C-0270", name: "Ensure CPU limits are set", baseScore: 8,
        frameworks: ["NSA", "DevOpsBest", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container (init containers included) that sets no `resources.limits.cpu`.",
        rationale: "A container without a CPU limit can use every core of its node: a compromised pod mines crypto-currency at full speed and its neighbours stall.",
        remediation: "Set `resources.limits.cpu` on every container, or give the namespace a LimitRange with a default CPU limit.",
        example: "resources:\n  limits: {cpu: 500m}",
        reads: workloadKinds, notes: resourceNotes
    ) { context in
        context.evaluateWorkloads { resourceFailure($0, "has a container without a CPU limit", fields: [ResourceField(section: "limits", resource: "cpu")]) }
    }

    static let memoryLimits = Control(
        id: "C-0271", name: "Ensure memory limits are set", baseScore: 8,
        frameworks: ["NSA", "DevOpsBest", "ArmoBest", "security", "WorkloadScan"],
        description: "Fails a workload with a container (init containers included) that sets no `resources.limits.memory`.",
        rationale: "A container without a memory limit can exhaust its node's memory, and the OOM killer then takes down other pods: a denial of service one pod can cause.",
        remediation: "Set `resources.limits.memory` on every container, or give the namespace a LimitRange with a default memory limit.",
        example: "resources:\n  limits: {memory: 512Mi}",
        reads: workloadKinds, notes: resourceNotes
    ) { context in
        context.evaluateWorkloads { resourceFailure($0, "has a container without a memory limit", fields: [ResourceField(section: "limits", resource: "memory")]) }
    }

    static let cpuRequests = Control(
        id: "C-0268", name: "Ensure CPU requests are set", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a workload with a container (init containers included) that sets no `resources.requests.cpu`.",
        rationale: "Without CPU requests the scheduler cannot reserve capacity: pods land on saturated nodes and are throttled under load, and the container gets the lowest CPU share.",
        remediation: "Set `resources.requests.cpu` on every container to what it needs at steady state.",
        example: "resources:\n  requests: {cpu: 100m}",
        reads: workloadKinds, notes: resourceNotes
    ) { context in
        context.evaluateWorkloads { resourceFailure($0, "has a container without a CPU request", fields: [ResourceField(section: "requests", resource: "cpu")]) }
    }

    static let memoryRequests = Control(
        id: "C-0269", name: "Ensure memory requests are set", baseScore: 3, frameworks: ["DevOpsBest"],
        description: "Fails a workload with a container (init containers included) that sets no `resources.requests.memory`.",
        rationale: "Without memory requests the scheduler overcommits nodes, and the pod is among the first the kubelet evicts under memory pressure.",
        remediation: "Set `resources.requests.memory` on every container to what it needs at steady state.",
        example: "resources:\n  requests: {memory: 128Mi}",
        reads: workloadKinds, notes: resourceNotes
    ) { context in
        context.evaluateWorkloads { resourceFailure($0, "has a container without a memory request", fields: [ResourceField(section: "requests", resource: "memory")]) }
    }
}
