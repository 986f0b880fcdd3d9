import FoundationEssentials
import Glibc
import KubeClient
import Product
import Reports

/// Renders the report in each asked format to stdout, to `--output FILE` (one format) or to
/// `BASENAME.<ext>` per format (several).
struct ReportWriter {
    var formats: [ReportFormat]
    var output: String?
    var verbose: Bool

    /// The files `write` creates, in format order; empty when the report goes to stdout.
    var paths: [String] {
        guard let output else { return [] }
        return formats.count > 1 ? formats.map { "\(output).\($0.fileExtension)" } : [output]
    }

    func write(_ report: ScanReport) throws {
        for (index, format) in formats.enumerated() {
            let useColor = output == nil && format == .pretty && Console.useColor
            if output != nil {
                let file = try OutputFile(path: paths[index])
                defer { file.close() }
                try render(report, as: format, useColor: useColor) { try file.write($0) }
            } else {
                try render(report, as: format, useColor: useColor) { Console.out(String(decoding: $0, as: UTF8.self)) }
            }
        }
    }

    /// Hands the rendering to `write`: the report formats in pieces as they are written, so that none is
    /// ever whole in memory; the terminal and Prometheus texts, small, at once.
    func render(_ report: ScanReport, as format: ReportFormat, useColor: Bool, to write: (Data) throws -> Void) throws {
        switch format {
        case .pretty: try write(Data(PrettyRenderer(useColor: useColor, verbose: verbose).render(report).utf8))
        case .json: try report.writeJSON(write)
        case .junit: try JUnitRenderer().write(report, to: write)
        case .sarif:
            if let note = try SARIFRenderer().write(report, to: write).note { Console.warning(note) }
        case .html: try HTMLRenderer().write(report, to: write)
        case .prometheus: try write(Data(PrometheusRenderer().render(report).utf8))
        }
    }
}

/// Pushes the Prometheus rendering to a Pushgateway with PUT, which replaces the metrics of the
/// group: a scan's results are a whole, and findings fixed since the last push must disappear.
enum Pushgateway {
    struct PushError: Error, CustomStringConvertible {
        var description: String
    }

    /// `URL` as given when it already names a group (`…/metrics/job/NAME[/LABEL/VALUE…]`), else
    /// `URL/metrics/job/lookout`.
    static func groupURL(_ base: String) -> String {
        if base.contains("/metrics/job/") { return base }
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/metrics/job/lookout"
    }

    /// Checked with the other options, before the scan, so a typo costs no scan.
    static func validated(_ base: String) throws(UsageError) -> String {
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw UsageError(description: "--pushgateway takes an http:// or https:// URL, got \"\(URLText.withoutUserinfo(base))\"")
        }
        return base
    }

    static func push(_ report: ScanReport, to base: String) async throws(PushError) {
        let url = groupURL(base)
        let response: HTTPResponse
        do {
            // On the process's threads: the push does not start a second pool, and `main` joins it.
            let transport = try CurlTransport(
                options: TransportOptions(userAgent: Product.userAgent), threads: Lookout.transferThreads)
            response = try await transport.send(HTTPRequest(
                method: "PUT", url: url, headers: [HTTPHeader(name: "Content-Type", value: PrometheusRenderer.contentType)],
                body: Data(PrometheusRenderer().render(report).utf8)))
        } catch {
            throw PushError(description: "cannot push to \(URLText.withoutUserinfo(url)): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            let body = String(decoding: response.body.prefix(300), as: UTF8.self)
            throw PushError(description: "the Pushgateway at \(URLText.withoutUserinfo(url)) answered \(response.status): \(body)")
        }
    }
}

/// Writes a file, whole or in pieces, with an error that names the file and says why in the system's
/// words.
struct OutputFile {
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    private let descriptor: Int32

    /// Creates or truncates the file.
    init(path: String) throws(WriteError) {
        self.path = path
        // Reports and snapshots describe the cluster's weak points: owner-only, also when the file
        // existed before with wider permissions.
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Self.failure(path) }
        guard fchmod(descriptor, 0o600) == 0 else {
            let failure = Self.failure(path)
            _ = Glibc.close(descriptor)
            throw failure
        }
    }

    static func write(_ data: Data, to path: String) throws(WriteError) {
        let file = try OutputFile(path: path)
        defer { file.close() }
        try file.write(data)
    }

    func write(_ data: Data) throws(WriteError) {
        var remaining = data[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path)
            }
            remaining = remaining.dropFirst(written)
        }
    }

    func close() { _ = Glibc.close(descriptor) }

    private static func failure(_ path: String) -> WriteError {
        WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
    }
}
