import Audit
import FoundationEssentials

/// One self-contained HTML page: scores, charts of failures by severity and by namespace, a sortable
/// table of controls and every finding, grouped by control, with its evidence and remediation.
///
/// Nothing is fetched: styles and the sorting script are inline, the charts are inline SVG, and a
/// Content-Security-Policy forbids every network load, so the page works offline and leaks nothing
/// when opened. Every report value is escaped in markup; the findings' text is data the script reads from
/// a JSON block and only ever sets as text content, never parses as markup.
public struct HTMLRenderer: Sendable {
    public init() {}

    /// Namespaces drawn one by one in the namespace chart; the rest are summed into one bar.
    public var chartNamespaces = 12

    /// The whole page at once.
    public func render(_ report: ScanReport) -> String {
        // Collecting in memory cannot fail.
        String(decoding: (try? ReportOutput.collected { try write(report, to: &$0) }) ?? Data(), as: UTF8.self)
    }

    /// Hands the page to `write` in pieces, never whole.
    public func write(_ report: ScanReport, to write: (Data) throws -> Void) throws {
        try ReportOutput.writing(to: write) { out in try self.write(report, to: &out) }
    }

    func write(_ report: ScanReport, to output: inout ReportOutput) throws {
        let title = "Lookout report — \(report.clusterName)"
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
            <title>\(Markup.escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>

            """
        out += header(report)
        if !report.isComplete {
            out += "<section id=\"incomplete\" class=\"incomplete\"><h2>Incomplete scan</h2>"
            out += "<p>Controls that need these kinds could not judge everything:</p><ul>\n"
            for reason in report.incompleteReasons ?? [] { out += "<li>\(Markup.escape(reason))</li>\n" }
            out += "</ul></section>\n"
        }
        out += scores(report)
        out += charts(report)
        if let baseline = report.baseline { out += baselineSection(baseline) }
        out += controlsTable(report)
        output.append(out)
        try findings(report, to: &output)
        out = ""
        if !report.errors.isEmpty {
            out += "<section id=\"errors\"><h2>Collection warnings</h2><ul>\n"
            for error in report.errors {
                out += "<li>\(Markup.escape("\(error.resource): \(error.reason): \(error.message)"))</li>\n"
            }
            out += "</ul></section>\n"
        }
        out += "<script>\(Self.script)</script>\n</body>\n</html>\n"
        output.append(out)
    }

    func header(_ report: ScanReport) -> String {
        var facts = [
            ("Cluster", report.clusterName), ("Server", report.cluster.server),
            ("Kubernetes", report.cluster.version ?? "unknown"), ("Scanned", report.scannedAt),
            ("Lookout", report.tool.version), ("Judged", report.sourceDescription),
        ]
        if !report.scope.includedNamespaces.isEmpty {
            facts.append(("Included namespaces", report.scope.includedNamespaces.joined(separator: ", ")))
        }
        if !report.scope.excludedNamespaces.isEmpty {
            facts.append(("Excluded namespaces", report.scope.excludedNamespaces.joined(separator: ", ")))
        }
        if let notFound = report.scope.notFoundNamespaces {
            facts.append(("Included namespaces that do not exist", notFound.joined(separator: ", ")))
        }
        var out = "<header><h1>Lookout security report</h1><dl class=\"facts\">\n"
        for (name, value) in facts { out += "<dt>\(Markup.escape(name))</dt><dd>\(Markup.escape(value))</dd>\n" }
        return out + "</dl></header>\n"
    }

    func scores(_ report: ScanReport) -> String {
        let summary = report.summary
        var out = "<section id=\"scores\" class=\"cards\">\n"
        func card(_ id: String, _ label: String, _ value: String, _ note: String) {
            out += "<div class=\"card\" id=\"\(id)\"><div class=\"label\">\(label)</div>"
            out += "<div class=\"value\">\(Markup.escape(value))</div><div class=\"note\">\(Markup.escape(note))</div></div>\n"
        }
        card("compliance-score", "Compliance score", NumberText.percent(summary.complianceScore), "share of checks passed; higher is better")
        card("risk-score", "Risk score", NumberText.percent(summary.riskScore), "weighted by severity and replicas; lower is better")
        card("controls-summary", "Controls", "\(summary.controls.failed) failed",
             "\(summary.controls.passed) passed, \(summary.controls.notApplicable) not applicable, \(summary.controls.skipped) skipped of \(summary.controls.total)")
        card("resources-summary", "Resources", "\(summary.resources.failed) failed", "of \(summary.resources.total) evaluated")
        out += "</section>\n"
        if !summary.frameworks.isEmpty {
            out += "<section id=\"frameworks\"><h2>Frameworks</h2><table><thead><tr><th>Framework</th><th class=\"num\">Compliance</th><th class=\"num\">Risk</th></tr></thead><tbody>\n"
            for framework in summary.frameworks {
                out += "<tr><td>\(Markup.escape(framework.name))</td><td class=\"num\">\(NumberText.percent(framework.complianceScore))</td>"
                out += "<td class=\"num\">\(NumberText.percent(framework.riskScore))</td></tr>\n"
            }
            out += "</tbody></table></section>\n"
        }
        return out
    }

    func charts(_ report: ScanReport) -> String {
        let severities = report.failuresBySeverity.map { (label: $0.severity.rawValue, count: $0.count, style: $0.severity.rawValue) }
        var namespaces = report.failuresByNamespace.map { (label: $0.namespace.isEmpty ? "(cluster-scoped)" : $0.namespace, count: $0.count, style: "namespace") }
        if namespaces.count > chartNamespaces {
            let rest = namespaces[chartNamespaces...]
            namespaces = Array(namespaces.prefix(chartNamespaces))
            namespaces.append(("\(rest.count) other namespaces", rest.reduce(0) { $0 + $1.count }, "namespace"))
        }
        var out = "<section id=\"charts\" class=\"charts\">\n"
        out += barChart(id: "chart-severity", title: "Failed findings by severity", bars: severities)
        out += barChart(id: "chart-namespace", title: "Failed findings by namespace", bars: namespaces)
        return out + "</section>\n"
    }

    /// A horizontal bar chart as inline SVG: one labelled bar per entry, scaled to the largest.
    func barChart(id: String, title: String, bars: [(label: String, count: Int, style: String)]) -> String {
        let rowHeight = 26, labelWidth = 170, barWidth = 260, height = max(bars.count, 1) * rowHeight + 8
        let largest = max(bars.map(\.count).max() ?? 0, 1)
        var out = "<figure id=\"\(id)\"><figcaption>\(Markup.escape(title))</figcaption>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 60)\" height=\"\(height)\" role=\"img\" aria-label=\"\(Markup.escape(title))\">\n"
        if bars.isEmpty {
            out += "<text x=\"0\" y=\"18\">No failed findings</text>\n"
        }
        for (offset, bar) in bars.enumerated() {
            let y = offset * rowHeight + 4
            let width = bar.count == 0 ? 0 : max(2, bar.count * barWidth / largest)
            let label = bar.label.count > 24 ? String(bar.label.prefix(23)) + "…" : bar.label
            out += "<g class=\"bar\" data-label=\"\(Markup.escape(bar.label))\" data-count=\"\(bar.count)\"><title>\(Markup.escape("\(bar.label): \(bar.count)"))</title>"
            out += "<text x=\"0\" y=\"\(y + 16)\">\(Markup.escape(label))</text>"
            out += "<rect class=\"\(bar.style)\" x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(width)\" height=\"\(rowHeight - 8)\"></rect>"
            out += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 16)\">\(bar.count)</text></g>\n"
        }
        return out + "</svg></figure>\n"
    }

    func baselineSection(_ baseline: BaselineComparison) -> String {
        var out = "<section id=\"baseline\"><h2>Compared with the baseline</h2>\n"
        out += "<p>\(Markup.escape(baseline.source)), scanned \(Markup.escape(baseline.scannedAt)): "
        out += "<strong>\(baseline.new) new</strong>, \(baseline.unchanged) unchanged, \(baseline.resolved.count) resolved.</p>\n"
        if !baseline.resolved.isEmpty {
            out += "<ul class=\"resolved\">\n"
            for resolved in baseline.resolved {
                out += "<li><span class=\"badge resolved\">resolved</span> \(Markup.escape("\(resolved.controlID) \(resolved.resource.displayName): \(resolved.message)"))</li>\n"
            }
            out += "</ul>\n"
        }
        return out + "</section>\n"
    }

    static let severityRank: [Severity: Int] = [.low: 1, .medium: 2, .high: 3, .critical: 4]

    func controlsTable(_ report: ScanReport) -> String {
        var out = """
            <section><h2>Controls</h2>
            <p class="hint">Click a column heading to sort.</p>
            <table id="controls" class="sortable">
            <thead><tr>
            <th data-key="severity" data-type="number" aria-sort="none"><button type="button">Severity</button></th>
            <th data-key="id" aria-sort="none"><button type="button">Control</button></th>
            <th data-key="name" aria-sort="none"><button type="button">Name</button></th>
            <th data-key="status" aria-sort="none"><button type="button">Status</button></th>
            <th class="num" data-key="failed" data-type="number" aria-sort="none"><button type="button">Failed</button></th>
            <th class="num" data-key="all" data-type="number" aria-sort="none"><button type="button">All</button></th>
            <th class="num" data-key="risk" data-type="number" aria-sort="none"><button type="button">Risk</button></th>
            <th class="num" data-key="compliance" data-type="number" aria-sort="none"><button type="button">Compliance</button></th>
            <th data-key="admission" aria-sort="none"><button type="button">At admission</button></th>
            </tr></thead>
            <tbody>

            """
        let findingControls = Set(report.findings.map(\.controlID))
        for control in report.controlsBySeverity {
            let evaluated = control.status != .skipped
            let name = Markup.escape(control.name) + (control.informational ? " <span class=\"badge\">info</span>" : "")
            let hasFindings = findingControls.contains(control.id)
            let link = hasFindings
                ? "<a href=\"#finding-\(Markup.escape(control.id))\">\(Markup.escape(control.id))</a>" : Markup.escape(control.id)
            var status = control.skipReason.map { "skipped: \($0)" } ?? (control.status == .notApplicable ? "not applicable" : control.status.rawValue)
            if let unjudged = control.unjudged { status += " (\(unjudged))" }
            out += "<tr data-control=\"\(Markup.escape(control.id))\" class=\"\(control.status.rawValue)\">"
            out += "<td data-value=\"\(Self.severityRank[control.severity] ?? 0)\"><span class=\"sev \(control.severity.rawValue)\">\(control.severity.rawValue)</span></td>"
            out += "<td data-value=\"\(Markup.escape(control.id))\">\(link)</td><td>\(name)</td>"
            out += "<td data-value=\"\(control.status.rawValue)\">\(Markup.escape(status))</td>"
            // Skipped controls sort below every evaluated one in numeric columns.
            out += "<td class=\"num\" data-value=\"\(evaluated ? control.failedResources : -1)\">\(evaluated ? String(control.failedResources) : "–")</td>"
            out += "<td class=\"num\" data-value=\"\(evaluated ? control.allResources : -1)\">\(evaluated ? String(control.allResources) : "–")</td>"
            // Scores of controls that judged nothing (not applicable, skipped) sort below every score.
            for score in [control.riskScore, control.complianceScore] {
                out += "<td class=\"num\" data-value=\"\(score.map(NumberText.decimal) ?? "-1")\">\(score.map(NumberText.percent) ?? "–")</td>"
            }
            // Workload controls only: the mechanisms behind the state are the cell's tooltip.
            if let admission = control.admission {
                let state = admission.state == .none ? "not enforced" : admission.state.rawValue
                out += "<td data-value=\"\(admission.state.rawValue)\" title=\"\(Markup.escape(admission.by.joined(separator: "; ")))\">\(state)</td>"
            } else {
                out += "<td data-value=\"\">–</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table></section>\n"
    }

    /// Findings grouped by control, every group closed. Its findings are rows of one compact JSON block
    /// that the script turns into a list when the group is opened: written out as markup, the findings
    /// of a 10,000-pod cluster made a 10 MB page whose layout took the browser seconds.
    func findings(_ report: ScanReport, to output: inout ReportOutput) throws {
        let byControl = Dictionary(grouping: report.findings, by: \.controlID)
        var data = FindingData()
        var out = "<section id=\"findings\"><h2>Findings</h2>\n"
        if byControl.isEmpty { out += "<p>No failed resources.</p>\n" } else { out += "<p class=\"hint\">Open a control to list its findings.</p>\n" }
        for control in report.controlsBySeverity {
            guard let findings = byControl[control.id] else { continue }
            let id = Markup.escape(control.id)
            out += "<details id=\"finding-\(id)\" data-control=\"\(id)\"><summary><span class=\"sev \(control.severity.rawValue)\">\(control.severity.rawValue)</span> "
            out += "\(Markup.escape("\(control.id) \(control.name)")) — \(findings.count) finding\(findings.count == 1 ? "" : "s")</summary>\n"
            if let description = control.description { out += "<p>\(Markup.escape(description))</p>\n" }
            out += "<p class=\"remediation\"><strong>Remediation:</strong> \(Markup.escape(control.remediation))</p>\n"
            if let admission = control.admission {
                let by = admission.by.isEmpty ? "nothing refuses it yet" : admission.by.joined(separator: "; ")
                let uncovered = admission.uncovered.map { "; not in \($0.joined(separator: ", "))" } ?? ""
                out += "<p class=\"admission\"><strong>At admission:</strong> \(admission.state == .none ? "not enforced" : admission.state.rawValue) — \(Markup.escape(by + uncovered))</p>\n"
            }
            out += "<ul class=\"findings\"></ul></details>\n"
            data.add(findings, of: control.id)
        }
        output.append(out + "<script type=\"application/json\" id=\"findings-data\">")
        try data.write(to: &output)
        output.append("</script>\n</section>\n")
    }

    /// The findings as the page's script reads them: `{"strings": [...], "controls": {ID: [row...]}}`,
    /// each row `[resource, name, message, [evidence...], related, fingerprint, new, exception]` where
    /// every text is an index into `strings` (-1 for none). Resource names, evidence and messages repeat
    /// across controls and resources, so each is written once; a message keeps its resource as the
    /// placeholders U+0001 (the resource as shown) and U+0002 (its name), which leaves ~100 distinct
    /// messages out of 25,000.
    struct FindingData {
        private var strings: [String] = []
        private var index: [String: Int] = [:]
        private var controls: [(id: String, rows: [Row])] = []

        struct Row {
            var resource: Int
            var name: Int
            var message: Int
            var evidence: [Int]
            var related: Int
            var fingerprint: String
            var isNew: Bool
            var exception: Int

            func write(to out: inout ReportOutput) {
                out.append("[\(resource),\(name),\(message),[")
                for (index, text) in evidence.enumerated() {
                    if index > 0 { out.append(",") }
                    out.append(text)
                }
                out.append("],\(related),")
                out.jsonString(fingerprint, inScript: true)
                out.append(",\(isNew ? 1 : 0),\(exception)]")
            }
        }

        mutating func add(_ findings: [ScanReport.FindingEntry], of control: String) {
            controls.append((control, findings.map { finding in
                let shown = finding.resource.displayName
                let related = finding.related.map(\.displayName)
                // Characters XML forbids are replaced first, as Markup does, so that U+0001 and U+0002
                // in the data can only be placeholders.
                let message = Self.template(Self.template(Markup.replacingForbidden(finding.message), shown, "\u{1}"), finding.resource.name, "\u{2}")
                return Row(
                    resource: text(shown), name: text(finding.resource.name), message: string(message),
                    evidence: finding.evidence.map { text($0) },
                    related: related.isEmpty ? -1 : text(related.joined(separator: ", ")),
                    fingerprint: finding.fingerprint, isNew: finding.baseline == .new,
                    exception: finding.exception.map { text($0) } ?? -1)
            }))
        }

        static func template(_ text: String, _ value: String, _ placeholder: String) -> String {
            let value = Markup.replacingForbidden(value)
            guard !value.isEmpty else { return text }
            // `replacing` matches Characters, and was a tenth of a 10,000-pod scan; in ASCII without a
            // carriage return (CR LF is the one ASCII pair that makes a single Character) every byte is
            // a Character, so matching bytes finds the same occurrences.
            guard Self.isOneByteCharacters(text.utf8), Self.isOneByteCharacters(value.utf8) else { return text.replacing(value, with: placeholder) }
            let (bytes, pattern) = (Array(text.utf8), Array(value.utf8))
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            while index < bytes.count {
                if bytes[index] == pattern[0], index + pattern.count <= bytes.count, bytes[index..<index + pattern.count].elementsEqual(pattern) {
                    out.append(contentsOf: placeholder.utf8)
                    index += pattern.count
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        static func isOneByteCharacters(_ bytes: String.UTF8View) -> Bool { bytes.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\r") } }

        /// The index of report text, its forbidden characters replaced.
        private mutating func text(_ value: String) -> Int { string(Markup.replacingForbidden(value)) }

        private mutating func string(_ value: String) -> Int {
            if let known = index[value] { return known }
            strings.append(value)
            index[value] = strings.count - 1
            return strings.count - 1
        }

        /// The data, compact, its keys sorted (the bytes `JSONEncoder` wrote before it was streamed).
        /// Safe inside `<script>`: every `<` is written as `\u003c`, so no text can close the element
        /// or open a comment. (JSON holds `<` only inside strings, where the escape means the same.)
        func write(to out: inout ReportOutput) throws {
            var seen = Set<String>()
            let controls = controls.filter { seen.insert($0.id).inserted }.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            out.append(#"{"controls":{"#)
            for (index, control) in controls.enumerated() {
                if index > 0 { out.append(",") }
                out.jsonString(control.id, inScript: true)
                out.append(":[")
                for (index, row) in control.rows.enumerated() {
                    if index > 0 { out.append(",") }
                    row.write(to: &out)
                    try out.checkpoint()
                }
                out.append("]")
            }
            out.append(#"},"strings":["#)
            for (index, string) in strings.enumerated() {
                if index > 0 { out.append(",") }
                out.jsonString(string, inScript: true)
                try out.checkpoint()
            }
            out.append("]}")
        }
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1d2330;background:#fff}
        h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}.facts dt{color:#5b6475}.facts dd{margin:0}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}.card{border:1px solid #d8dde6;border-radius:8px;padding:12px 16px;min-width:200px}
        .card .label{color:#5b6475}.card .value{font-size:28px;font-weight:600}.card .note{color:#5b6475;font-size:12px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff4;vertical-align:top}
        th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer;color:inherit}
        th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
        .num{text-align:right;font-variant-numeric:tabular-nums}tr.skipped,tr.notApplicable{color:#7a8191}.incomplete{border:2px solid #c62828;border-radius:6px;padding:4px 12px}
        .charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:16px 0 0}figcaption{font-weight:600;margin-bottom:4px}
        svg text{font:12px system-ui,sans-serif;fill:#1d2330}
        rect.critical,.sev.critical{fill:#8e1b1b;background:#8e1b1b}rect.high,.sev.high{fill:#d93025;background:#d93025}
        rect.medium,.sev.medium{fill:#e8860c;background:#e8860c}rect.low,.sev.low{fill:#3b7dd8;background:#3b7dd8}rect.namespace{fill:#5f6b85}
        .sev{color:#fff;border-radius:4px;padding:0 6px;font-size:12px}
        .badge{border:1px solid #9aa3b5;border-radius:4px;padding:0 4px;font-size:12px}.badge.new{border-color:#d93025;color:#d93025}
        .badge.resolved{border-color:#2e7d32;color:#2e7d32}
        details{margin:8px 0;border:1px solid #eceff4;border-radius:6px;padding:6px 10px}summary{cursor:pointer;font-weight:600}
        .findings>li{margin:6px 0}.evidence{margin:2px 0}code{font:12px ui-monospace,monospace;background:#f3f5f8;padding:0 3px}
        .related,.hint{color:#5b6475;font-size:12px}
        """

    /// Sorts the controls table when a heading is clicked. `#sort=KEY` or `#sort=KEY-desc` in the URL
    /// opens the page sorted by that column, so a link can share a view (and tests can drive it).
    /// Lists a control's findings from the page's JSON data when its group is opened, or when the URL
    /// names it (`#finding-ID`, the controls table's links); `#findings=all` opens every group.
    static let script = """
        (function () {
          var table = document.getElementById("controls");
          if (!table) return;
          var headers = table.tHead.rows[0].cells;
          function key(row, index, numeric) {
            var cell = row.cells[index];
            var value = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
            return numeric ? parseFloat(value) : value.toLowerCase();
          }
          function sortBy(index, descending) {
            var numeric = headers[index].getAttribute("data-type") === "number";
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = key(a, index, numeric), y = key(b, index, numeric);
              var order = x < y ? -1 : x > y ? 1 : 0;
              return descending ? -order : order;
            });
            rows.forEach(function (row) { body.appendChild(row); });
            for (var i = 0; i < headers.length; i++) {
              headers[i].setAttribute("aria-sort", i === index ? (descending ? "descending" : "ascending") : "none");
            }
          }
          Array.prototype.forEach.call(headers, function (header, index) {
            header.querySelector("button").addEventListener("click", function () {
              sortBy(index, header.getAttribute("aria-sort") === "ascending");
            });
          });
          var match = /sort=([a-z]+)(-desc)?/.exec(window.location.hash);
          if (match) {
            Array.prototype.forEach.call(headers, function (header) {
              if (header.getAttribute("data-key") !== match[1]) return;
              var button = header.querySelector("button");
              button.click();
              if (match[2]) button.click();
            });
          }
        })();
        (function () {
          var block = document.getElementById("findings-data"), data = null;
          if (!block) return;
          function element(tag, className, text) {
            var node = document.createElement(tag);
            if (className) node.className = className;
            if (text !== undefined) node.textContent = text;
            return node;
          }
          function fill(group) {
            var list = group.querySelector("ul.findings");
            if (list.hasAttribute("data-filled")) return;
            list.setAttribute("data-filled", "");
            if (!data) data = JSON.parse(block.textContent);
            var strings = data.strings, rows = data.controls[group.getAttribute("data-control")] || [];
            var items = document.createDocumentFragment();
            rows.forEach(function (row) {
              var item = element("li", "finding");
              item.setAttribute("data-fingerprint", row[5]);
              item.appendChild(element("strong", "", strings[row[0]]));
              if (row[6]) { item.appendChild(document.createTextNode(" ")); item.appendChild(element("span", "badge new", "new")); }
              if (row[7] >= 0) { item.appendChild(document.createTextNode(" ")); item.appendChild(element("span", "badge", "excepted by " + strings[row[7]])); }
              item.appendChild(element("div", "", strings[row[2]].split("\\u0001").join(strings[row[0]]).split("\\u0002").join(strings[row[1]])));
              if (row[3].length) {
                var evidence = element("ul", "evidence");
                row[3].forEach(function (index) { evidence.appendChild(element("li")).appendChild(element("code", "", strings[index])); });
                item.appendChild(evidence);
              }
              if (row[4] >= 0) item.appendChild(element("div", "related", "via " + strings[row[4]]));
              items.appendChild(item);
            });
            list.appendChild(items);
          }
          var groups = document.querySelectorAll("details[data-control]");
          Array.prototype.forEach.call(groups, function (group) {
            group.addEventListener("toggle", function () { if (group.open) fill(group); });
          });
          function openNamed() {
            var all = /findings=all/.test(window.location.hash);
            Array.prototype.forEach.call(groups, function (group) {
              if (all || window.location.hash === "#" + group.id) { group.open = true; fill(group); }
            });
          }
          window.addEventListener("hashchange", openNamed);
          openNamed();
        })();
        """
}
