import Audit
import Reports

/// `--compliance-threshold`, `--severity-threshold`, `--fail-threshold`: `scan` takes all three, `diff`
/// the severity one (a diff's scores are the new report's, already gated when it was made).
struct GateOptions: OptionGroup {
    var complianceThreshold: Double?
    var severityThreshold: Severity?
    var riskThreshold: Double?

    static var compliance: Option<Self> {
        Option("compliance-threshold", help: "fail (exit 1) when the compliance score is below N", \.complianceThreshold, convert: score("compliance-threshold"))
    }

    static var severity: Option<Self> {
        Option("severity-threshold", help: "fail when a failed resource is at or above low|medium|high|critical", \.severityThreshold)
    }

    static var risk: Option<Self> {
        Option("fail-threshold", short: "t", help: "fail when the risk score is above N", \.riskThreshold, convert: score("fail-threshold"))
    }

    static var options: [Option<Self>] { [compliance, severity, risk] }

    /// Scores run from 0 to 100, so a threshold outside them is a typo, not a gate.
    private static func score(_ option: String) -> (String) throws(UsageError) -> Double? {
        { text throws(UsageError) in
            guard let number = Double(text), number.isFinite else {
                throw UsageError(description: "--\(option) takes a number, got \"\(text)\"")
            }
            guard (0...100).contains(number) else {
                throw UsageError(description: "--\(option) takes a score from 0 to 100, got \(text)")
            }
            return number
        }
    }
}

extension Severity: ArgumentValue {
    init(argument: String, option: String) throws(UsageError) {
        guard let severity = Severity(rawValue: argument.lowercased()) else {
            throw UsageError(description: "--\(option) takes low, medium, high or critical, got \"\(argument)\"")
        }
        self = severity
    }
}

/// The pipeline gates of `scan` and `diff`: each failure is a sentence that says which gate and by how
/// much.
struct Gates {
    var complianceThreshold: Double?
    var riskThreshold: Double?
    var severityThreshold: Severity?
    /// `--fail-on-new`: the severity gate counts only findings the baseline did not have.
    var newOnly = false

    init(_ options: GateOptions, newOnly: Bool) {
        complianceThreshold = options.complianceThreshold
        riskThreshold = options.riskThreshold
        severityThreshold = options.severityThreshold
        self.newOnly = newOnly
        // Without a threshold, --fail-on-new fails on a new finding of any severity.
        if newOnly, severityThreshold == nil { severityThreshold = .low }
    }

    func failures(_ report: ScanReport) -> [String] {
        var failures: [String] = []
        let summary = report.summary
        // A score of n/a judged nothing: it meets no threshold, or a scan that saw nothing would pass.
        if let threshold = complianceThreshold {
            if let score = summary.complianceScore {
                if score < threshold {
                    failures.append(
                        "compliance score \(Self.format(score)) is below --compliance-threshold \(Self.format(threshold)) by \(Self.format(threshold - score)) points")
                }
            } else {
                failures.append("compliance score is n/a (no control judged a resource): --compliance-threshold \(Self.format(threshold)) is not met")
            }
        }
        if let threshold = riskThreshold {
            if let score = summary.riskScore {
                if score > threshold {
                    failures.append(
                        "risk score \(Self.format(score)) is above --fail-threshold \(Self.format(threshold)) by \(Self.format(score - threshold)) points")
                }
            } else {
                failures.append("risk score is n/a (no scored control judged a resource): --fail-threshold \(Self.format(threshold)) is not met")
            }
        }
        if let threshold = severityThreshold {
            let count = report.findings.count {
                $0.status == "failed" && $0.severity >= threshold && (!newOnly || $0.baseline == .new)
            }
            if count > 0 {
                failures.append(
                    "\(count) \(newOnly ? "new " : "")failed resource(s) at severity \(threshold.rawValue) or above"
                        + " (--severity-threshold \(threshold.rawValue)\(newOnly ? ", --fail-on-new" : ""))")
            }
        }
        return failures
    }

    /// Says each failure on stderr; true when every gate passed.
    func check(_ report: ScanReport) -> Bool {
        let failures = failures(report)
        for failure in failures { Console.report("gate failed: \(failure)", level: .warning) }
        return failures.isEmpty
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)" + (fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + "\(fraction)")
    }
}
