import Audit
import ConsumerSupport
import Foundation
import Inventory
@testable import Reports
import Testing

/// Variants of the sample report that exercise what real clusters produce: a baseline comparison,
/// an excepted finding and text that must be escaped in every format.
enum SampleVariants {
    static let hostile = "<script>alert(\"x\")</script> & 'quoted' \\ back\u{1}slash\nsecond line"

    static func withBaselineAndHostileText() -> ScanReport {
        var report = SampleReport.make()
        var previous = report
        // The previous scan had one more finding, of a control this scan evaluated: it is resolved.
        var gone = previous.findings[0]
        gone.resource.name = "old-web"
        gone.fingerprint = "00000000000000ff"
        previous.findings.append(gone)
        // And it lacked the namespace finding: that one is new.
        previous.findings.removeAll { $0.controlID == "C-0054" }
        report.findings[0].message = hostile
        report.findings[0].evidence.append(hostile)
        var excepted = report.findings[0]
        excepted.status = "excepted"
        excepted.exception = "accepted-risk \"legacy\""
        excepted.resource.name = "legacy"
        excepted.fingerprint = "0000000000000abc"
        report.findings.append(excepted)
        return report.compared(with: previous, source: "previous.json")
    }

    static func write(_ text: String, suffix: String) throws -> String {
        try write(Data(text.utf8), suffix: suffix)
    }

    static func write(_ data: Data, suffix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-report-\(UUID().uuidString).\(suffix)").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite struct JSONSchemaTests {
    @Test func sampleReportsValidateAgainstTheDocumentedSchema() throws {
        for report in [SampleReport.make(), SampleVariants.withBaselineAndHostileText(), SampleReport.nothingJudged(), SampleReport.incomplete()] {
            let path = try SampleVariants.write(try report.jsonData(), suffix: "json")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let summary = try Consumer.check(.json, file: path)
            if let summary { #expect(summary["valid"] as? Bool == true) }
        }
    }

    @Test func schemaRejectsAReportMissingAField() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: SampleReport.make().jsonData()) as? [String: Any])
        object.removeValue(forKey: "summary")
        let path = try SampleVariants.write(try JSONSerialization.data(withJSONObject: object), suffix: "json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        switch try Consumer.verdict(.json, file: path) {
        case .invalid(let reasons): #expect(reasons.contains("summary"))
        case .valid: Issue.record("the schema accepted a report without summary")
        case .unavailable(let what): try Consumer.unavailable(what)
        }
    }

    @Test func baselineFieldsRoundTrip() throws {
        let report = SampleVariants.withBaselineAndHostileText()
        let decoded = try ScanReport.decode(try report.jsonData())
        #expect(decoded.baseline?.resolved.map(\.resource.name) == ["old-web"])
        #expect(decoded.findings.map(\.baseline) == report.findings.map(\.baseline))
    }
}

@Suite struct BaselineTests {
    @Test func marksNewAndUnchangedAndListsResolved() {
        let report = SampleVariants.withBaselineAndHostileText()
        let states = Dictionary(report.findings.map { ($0.controlID + "/" + $0.resource.name, $0.baseline) }) { first, _ in first }
        #expect(states["C-0057/web"] == .unchanged)
        #expect(states["C-0054/shop"] == .new)
        #expect(report.baseline?.new == 1)
        #expect(report.baseline?.unchanged == 1)
        #expect(report.baseline?.resolved.count == 1)
        #expect(report.baseline?.source == "previous.json")
    }

    @Test func findingsOfSkippedControlsAreNotResolved() {
        let report = SampleReport.make()
        var previous = report
        var clusterRoleFinding = report.findings[0]
        clusterRoleFinding.controlID = "C-0035"  // skipped in this scan: forbidden clusterroles
        clusterRoleFinding.fingerprint = "0000000000000001"
        previous.findings.append(clusterRoleFinding)
        #expect(report.compared(with: previous, source: "p").baseline?.resolved.isEmpty == true)
    }

    @Test func controllerOwnedPodsAreFingerprintedByTheirOwner() {
        let owner = OwnerReference(apiVersion: "example.com/v1", kind: "Rollout", name: "web", uid: "1")
        let pods = ["web-7d9f-abcde", "web-7d9f-fghij"].map {
            Pod(metadata: ObjectMeta(name: $0, namespace: "shop", ownerReferences: [owner]), spec: PodSpec(containers: []))
        }
        var snapshot = ClusterSnapshot(cluster: ClusterInfo(server: "https://test"))
        snapshot.pods = pods
        let identity = FingerprintIdentity(snapshot)
        let fingerprints = pods.map {
            Fingerprint.of(
                controlID: "C-0057", resource: identity.stable(ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "shop", name: $0.name)),
                evidence: ["e"])
        }
        #expect(fingerprints[0] == fingerprints[1])
        let bare = ResourceRef(apiVersion: "v1", kind: "Pod", namespace: "shop", name: "debug")
        #expect(identity.stable(bare) == bare)
    }
}

@Suite struct PrettyRendererTests {
    @Test func everyLineFitsOneHundredColumnsEvenWithLongText() {
        var report = SampleVariants.withBaselineAndHostileText()
        report.controls[0].name = String(repeating: "very long control name ", count: 6)
        report.findings[0].evidence.append(String(repeating: "x", count: 250))
        for verbose in [false, true] {
            let text = PrettyRenderer(useColor: false, verbose: verbose).render(report)
            for line in text.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
        }
    }

    @Test func summaryShowsTopResourcesScoresAndBaseline() {
        let text = PrettyRenderer(useColor: false, verbose: false).render(SampleVariants.withBaselineAndHostileText())
        #expect(text.contains("Top failing resources"))
        #expect(text.contains("Namespace shop [new]"))
        #expect(text.contains("Baseline previous.json"))
        #expect(text.contains("1 new, 1 unchanged, 1 resolved"))
        #expect(text.contains("resolved C-0057 Deployment shop/old-web"))
        #expect(text.contains("NSA"))
        #expect(!text.contains("evidence:"))
    }

    @Test func verboseListsEvidenceRemediationAndExceptions() {
        let text = PrettyRenderer(useColor: false, verbose: true).render(SampleVariants.withBaselineAndHostileText())
        #expect(text.contains("evidence: spec.template.spec.containers[0].securityContext.privileged=true"))
        #expect(text.contains("fix: "))
        #expect(text.contains("excepted by accepted-risk"))
    }

    @Test func comparisonListsNewAndResolved() {
        let text = PrettyRenderer(useColor: false, verbose: false).renderComparison(SampleVariants.withBaselineAndHostileText())
        #expect(text.contains("New findings (1)"))
        #expect(text.contains("Namespace shop"))
        #expect(text.contains("resolved C-0057 Deployment shop/old-web"))
    }

    @Test func wrapSplitsAtSpacesAndCutsLongWords() {
        #expect(PrettyRenderer.wrap("aaa bbb ccc", width: 7) == ["aaa bbb", "ccc"])
        #expect(PrettyRenderer.wrap(String(repeating: "x", count: 10), width: 4) == ["xxxx", "xxxx", "xx"])
    }

    /// The admission "to do" command lists control IDs with commas and no spaces: a line ends after an ID.
    @Test func wrapBreaksALongListAfterACommaNotInsideAnID() {
        #expect(PrettyRenderer.wrap("ab C-0001,C-0002,C-0003 cd", width: 16)
            == ["ab", "C-0001,C-0002,", "C-0003 cd"])
        #expect(PrettyRenderer.wrap(",,xxxxxx", width: 4) == [",,", "xxxx", "xx"])
    }
}

@Suite struct JUnitRendererTests {
    @Test func oneSuitePerFrameworkOneCasePerControl() throws {
        let xml = JUnitRenderer().render(SampleVariants.withBaselineAndHostileText())
        let path = try SampleVariants.write(xml, suffix: "xml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.junit, file: path) else { return }
        let suites = try #require(summary["suites"] as? [[String: Any]])
        #expect(suites.first?["name"] as? String == "NSA")
        let all = suites.flatMap { $0["cases"] as? [String] ?? [] }
        #expect(all.contains { $0.hasPrefix("C-0057 ") })
        var failures: [String: String] = [:]
        for suite in suites { failures.merge(suite["failures"] as? [String: String] ?? [:]) { first, _ in first } }
        let privileged = try #require(failures.first { $0.key.hasPrefix("C-0057") }?.value)
        #expect(privileged.contains("Deployment shop/web"))
        #expect(privileged.contains(SampleVariants.hostile.replacingOccurrences(of: "\u{1}", with: "\u{FFFD}")))
        let skipped = suites.compactMap { $0["skipped"] as? [String: String] }.flatMap(\.values)
        #expect(skipped.contains("forbidden: clusterroles"))
    }

    @Test func controlsOutsideTheScannedFrameworksFormTheirOwnSuite() {
        var report = SampleReport.make()
        report.summary.frameworks = []
        let xml = JUnitRenderer().render(report)
        #expect(xml.contains("<testsuite name=\"controls\" tests=\"3\""))
    }
}

@Suite struct SARIFRendererTests {
    @Test func validatesAgainstTheOfficialSchema() throws {
        let path = try SampleVariants.write(try SARIFRenderer().render(SampleVariants.withBaselineAndHostileText()), suffix: "sarif")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.sarif, file: path) else { return }
        #expect(summary["rules"] as? [String] == ["C-0035", "C-0057", "C-0054"])
        let levels = try #require(summary["levels"] as? [String: String])
        let severities = try #require(summary["securitySeverity"] as? [String: String])
        let report = SampleReport.make()
        for control in report.controls {
            #expect(levels[control.id] == SARIFRenderer.level(control.severity))
            #expect(Double(severities[control.id] ?? "") == control.baseScore)
        }
        let results = try #require(summary["results"] as? [[String: Any]])
        #expect(results.contains {
            $0["ruleId"] as? String == "C-0057" && $0["location"] as? String == "prod/shop/Deployment/web"
                && $0["baselineState"] as? String == "unchanged"
        })
        #expect(results.contains { $0["location"] as? String == "prod//Namespace/shop" && $0["baselineState"] as? String == "new" })
        #expect(results.contains { $0["suppressed"] as? Bool == true })
    }

    @Test func levelsFollowSeverity() {
        #expect(SARIFRenderer.level(.critical) == "error")
        #expect(SARIFRenderer.level(.high) == "error")
        #expect(SARIFRenderer.level(.medium) == "warning")
        #expect(SARIFRenderer.level(.low) == "note")
    }
}

@Suite struct PrometheusRendererTests {
    @Test func parsesWithThePrometheusClientParser() throws {
        var report = SampleVariants.withBaselineAndHostileText()
        report.cluster.context = SampleVariants.hostile
        let text = PrometheusRenderer().render(report)
        let path = try SampleVariants.write(text, suffix: "prom")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.prometheus, file: path) else { return }
        let families = try #require(summary["families"] as? [String: [[String: Any]]])
        for name in [
            "lookout_risk_score", "lookout_compliance_score", "lookout_framework_risk_score", "lookout_control_failed_resources",
            "lookout_severity_failed_resources", "lookout_namespace_failed_resources", "lookout_baseline_findings",
        ] {
            #expect(families[name] != nil, "\(name) missing")
        }
        let info = try #require(families["lookout_scan_info"]?.first?["labels"] as? [String: String])
        #expect(info["cluster"] == SampleVariants.hostile)
        let perNamespace = families["lookout_namespace_failed_resources"] ?? []
        let severity = try #require(report.controls.first { $0.id == "C-0057" }).severity.rawValue
        #expect(perNamespace.contains {
            ($0["labels"] as? [String: String]) == ["control_id": "C-0057", "severity": severity, "namespace": "shop"]
                && $0["value"] as? Double == 1
        })
        let framework = families["lookout_framework_compliance_score"]?.first?["labels"] as? [String: String]
        #expect(framework == ["framework": "NSA"])
    }

    @Test func escapesLabelValues() {
        #expect(PrometheusRenderer.escapeLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }
}

@Suite struct HTMLRendererTests {
    static func render() throws -> String {
        try SampleVariants.write(HTMLRenderer().render(SampleVariants.withBaselineAndHostileText()), suffix: "html")
    }

    @Test func isSelfContainedAndEscapesReportText() {
        let html = HTMLRenderer().render(SampleVariants.withBaselineAndHostileText())
        #expect(!html.contains("<script>alert"))
        #expect(html.contains(#"\u003cscript>alert(\"x\")\u003c\/script>"#), "findings are data, where no text can close the element")
        #expect(html.components(separatedBy: "<script").count == 3, "only the page's own script and its data")
        #expect(html.contains("<script type=\"application/json\" id=\"findings-data\">"))
        for external in ["src=", "<link", "@import", "url(", "href=\"http"] { #expect(!html.contains(external), "\(external)") }
        #expect(html.contains("Content-Security-Policy"))
    }

    @Test func rendersInAHeadlessBrowserWithScoresAndCharts() throws {
        let path = try Self.render()
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let page = try Consumer.check(.html, file: path) else { return }
        let report = SampleVariants.withBaselineAndHostileText()
        let cards = try #require(page["cards"] as? [String: String])
        #expect(cards["compliance-score"] == NumberText.percent(report.summary.complianceScore))
        #expect(cards["risk-score"] == NumberText.percent(report.summary.riskScore))
        let bars = try #require(page["bars"] as? [String: [String: Int]])
        for (severity, count) in report.failuresBySeverity { #expect(bars["chart-severity"]?[severity.rawValue] == count) }
        #expect(bars["chart-namespace"]?["shop"] == 1)
        #expect(bars["chart-namespace"]?["(cluster-scoped)"] == 1)
        #expect(page["rows"] as? [String] == ["C-0057", "C-0054", "C-0035"])
        #expect((page["findings"] as? [String: String])?.isEmpty == true, "findings are listed when their control is opened")
    }

    /// Opening a control lists its findings, built by the script as text: the hostile message shows as
    /// text and adds no element.
    @Test func listsFindingsOfAnOpenedControl() throws {
        let path = try Self.render()
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let one = try Consumer.check(.html, file: path, fragment: "#finding-C-0054") else { return }
        let report = SampleVariants.withBaselineAndHostileText()
        let namespaceFinding = try #require(report.findings.first { $0.controlID == "C-0054" })
        #expect((one["findings"] as? [String: String])?.keys.sorted() == [namespaceFinding.fingerprint])

        let all = try #require(try Consumer.check(.html, file: path, fragment: "#findings=all"))
        let texts = try #require(all["findings"] as? [String: String])
        #expect(texts.keys.sorted() == report.findings.map(\.fingerprint).sorted())
        #expect(all["scripts"] as? Int == 1, "no text of the report became a script")
        let hostile = try #require(texts[report.findings[0].fingerprint])
        let shown = SampleVariants.hostile.replacingOccurrences(of: "\u{1}", with: "\u{FFFD}")
        #expect(hostile.hasPrefix("Deployment shop/web" + shown), "resource, then the message")
        #expect(hostile.components(separatedBy: shown).count == 3, "in the message and the evidence")
        #expect(texts["0000000000000abc"]?.contains("excepted by accepted-risk \"legacy\"") == true)
        #expect(texts[namespaceFinding.fingerprint]?.contains("Namespace shop new") == true, "the new badge")
        #expect(texts[namespaceFinding.fingerprint]?.contains(namespaceFinding.message) == true, "the message with its resource put back")
    }

    @Test func tableSortsWhenAHeadingIsClicked() throws {
        let path = try Self.render()
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let ascending = try Consumer.check(.html, file: path, fragment: "#sort=id") else { return }
        #expect(ascending["rows"] as? [String] == ["C-0035", "C-0054", "C-0057"])
        #expect((ascending["headers"] as? [String: String])?["id"] == "ascending")
        let descending = try #require(try Consumer.check(.html, file: path, fragment: "#sort=severity-desc"))
        // The browser's sort is stable: controls of equal severity keep the page's order.
        let initial = ["C-0057", "C-0054", "C-0035"]
        let severity = Dictionary(uniqueKeysWithValues: SampleReport.make().controls.map { ($0.id, $0.severity) })
        let expected = initial.enumerated().sorted { (severity[$1.element]!, $0.offset) < (severity[$0.element]!, $1.offset) }.map(\.element)
        #expect(descending["rows"] as? [String] == expected)
        #expect((descending["headers"] as? [String: String])?["severity"] == "descending")
        let byFailed = try #require(try Consumer.check(.html, file: path, fragment: "#sort=failed"))
        #expect((byFailed["rows"] as? [String])?.first == "C-0035", "skipped controls sort below zero")
    }
}

/// A scan that judged nothing shows n/a in every format, never 100%.
@Suite struct NotApplicableRenderingTests {
    let report = SampleReport.nothingJudged()

    @Test func junitReportsNotApplicableAsSkippedWithTheReason() throws {
        let xml = JUnitRenderer().render(report)
        #expect(xml.contains("<property name=\"complianceScore\" value=\"n/a\"/>"))
        let path = try SampleVariants.write(xml, suffix: "xml")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.junit, file: path) else { return }
        let skipped = (summary["suites"] as? [[String: Any]] ?? []).compactMap { $0["skipped"] as? [String: String] }.flatMap { $0 }
        #expect(skipped.first { $0.key.hasPrefix("C-0057") }?.value == JUnitRenderer.notApplicableMessage)
        #expect(skipped.first { $0.key.hasPrefix("C-0035") }?.value == "forbidden: clusterroles")
    }

    @Test func sarifRunHasNullScoresAndValidates() throws {
        let data = try SARIFRenderer().render(report)
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let properties = try #require(run["properties"] as? [String: Any])
        #expect(properties["complianceScore"] is NSNull)
        #expect(properties["riskScore"] is NSNull)
        let path = try SampleVariants.write(data, suffix: "sarif")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Consumer.check(.sarif, file: path)
    }

    @Test func prometheusLeavesOutScoresThatDoNotApply() throws {
        let text = PrometheusRenderer().render(report)
        #expect(!text.contains("lookout_compliance_score"))
        #expect(!text.contains("lookout_risk_score"))
        #expect(!text.contains("lookout_control_compliance_score"))
        #expect(text.contains("lookout_controls{status=\"notApplicable\"} 1\n"))
        let path = try SampleVariants.write(text, suffix: "prom")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let summary = try Consumer.check(.prometheus, file: path) else { return }
        let families = try #require(summary["families"] as? [String: [[String: Any]]])
        let statuses = (families["lookout_control_status"] ?? []).compactMap { ($0["labels"] as? [String: String])?["status"] }
        #expect(statuses.sorted() == ["notApplicable", "skipped"])
    }

    @Test func htmlCardsSayNotApplicable() throws {
        let html = HTMLRenderer().render(report)
        #expect(html.contains("not applicable"))
        let path = try SampleVariants.write(html, suffix: "html")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let page = try Consumer.check(.html, file: path) else { return }
        let cards = try #require(page["cards"] as? [String: String])
        #expect(cards["compliance-score"] == "n/a")
        #expect(cards["risk-score"] == "n/a")
    }
}

/// An incomplete scan says so in every format that has a place for it.
@Suite struct IncompleteRenderingTests {
    let report = SampleReport.incomplete()

    @Test func machineFormatsFlagTheScan() throws {
        #expect(PrometheusRenderer().render(report).contains("lookout_scan_complete 0\n"))
        #expect(PrometheusRenderer().render(SampleReport.make()).contains("lookout_scan_complete 1\n"))
        #expect(JUnitRenderer().render(report).contains("<property name=\"complete\" value=\"false\"/>"))
        let html = HTMLRenderer().render(report)
        #expect(html.contains("<section id=\"incomplete\""))
        #expect(html.contains("1 of 2 nodes not judged"))
        let data = try SARIFRenderer().render(report)
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let invocation = try #require(((log["runs"] as? [[String: Any]])?.first?["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == false)
        let texts = (invocation["toolExecutionNotifications"] as? [[String: Any]] ?? []).compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
        #expect(texts.contains("incomplete scan: cannot read pods: cannot decode the response of /api/v1/pods: truncated"))
        let path = try SampleVariants.write(data, suffix: "sarif")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try Consumer.check(.sarif, file: path)
    }
}

@Suite struct MarkupTests {
    @Test func escapesMarkupAndReplacesForbiddenCharacters() {
        #expect(Markup.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(Markup.escape("a\u{1}b\tc\n") == "a\u{FFFD}b\tc\n")
    }

    @Test func numbersWithoutFoundationFormatters() {
        #expect(NumberText.decimal(12) == "12")
        #expect(NumberText.decimal(12.5) == "12.5")
        #expect(NumberText.decimal(12.25) == "12.25")
        #expect(NumberText.decimal(0.05) == "0.05")
        #expect(NumberText.percent(87.46) == "87.5%")
    }

    /// Issue 11 defect 13: scores read back from a report (diff, baselines) reached Int(...) and trapped.
    @Test(arguments: [1e300, -1e300, Double.nan, Double.infinity, -Double.infinity, 1e15])
    func numbersOutOfRangeAreShownNotTrapped(value: Double) {
        #expect(!NumberText.decimal(value).isEmpty)
        #expect(NumberText.percent(value).hasSuffix("%"))
    }
}
