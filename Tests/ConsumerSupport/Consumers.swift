import Foundation

/// Runs the real consumers of each report format (Tests/ConsumerSupport/consumers.py) on a rendered
/// report and returns what they saw. Shared by the unit and the integration tests.
///
/// A consumer that is not installed fails the test in CI (`CI=true`) and skips the check elsewhere,
/// printing why: `make deps` installs all of them. Failures are thrown, which fails the calling test;
/// this target does not import Testing, so that a plain (release) build of the package compiles it.
public enum Consumer {
    public enum Kind: String, Sendable {
        case json, sarif, junit, prometheus, html
        /// PyYAML's reading of a YAML stream.
        case yaml
        /// Kubernetes objects against the v1.36 OpenAPI schemas.
        case kubernetesSchema = "k8s-schema"
        /// ValidatingAdmissionPolicies evaluated by cel-python on objects (`fragment` is the cases file).
        case cel

        /// The Python module the consumer needs, when it needs one beyond the standard library.
        var module: String? {
            switch self {
            case .json, .sarif, .kubernetesSchema: "jsonschema"
            case .prometheus: "prometheus_client"
            case .yaml: "yaml"
            case .cel: "celpy"
            case .junit, .html: nil
            }
        }
    }

    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    public static let reportSchema = directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/report.schema.json").path
    public static let sarifSchema = directory.appendingPathComponent("Schemas/sarif-schema-2.1.0.json").path
    public static let kubernetesSchema = directory.appendingPathComponent("Schemas/kubernetes-v1.36/openapi.json").path
    static let script = directory.appendingPathComponent("consumers.py").path

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What a consumer made of a report.
    public enum Verdict {
        /// Accepted, with the consumer's summary of what it saw.
        case valid([String: Any])
        /// Rejected, with the consumer's reasons.
        case invalid(String)
        /// The consumer is not installed here.
        case unavailable(String)
    }

    public static func verdict(_ kind: Kind, file: String, fragment: String = "") throws -> Verdict {
        guard let python = python(for: kind.module) else {
            return .unavailable("python3 with module \(kind.module ?? "") (Debian: python3-jsonschema, python3-prometheus-client, python3-yaml; PyPI: cel-python)")
        }
        var arguments = [script, kind.rawValue]
        switch kind {
        case .json: arguments.append(reportSchema)
        case .sarif: arguments.append(sarifSchema)
        case .kubernetesSchema: arguments.append(kubernetesSchema)
        default: break
        }
        arguments.append(file)
        if kind == .html || kind == .cel { arguments.append(fragment) }
        let result = try Subprocess.run(python, arguments)
        switch result.status {
        case 0:
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            return .valid(object as? [String: Any] ?? [:])
        case 2: return .unavailable(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        default: return .invalid("\(kind.rawValue) consumer rejected \(file) (exit \(result.status)):\n\(result.stderr)")
        }
    }

    /// Validates `file` as `kind` and returns the consumer's summary; nil when the consumer is missing
    /// outside CI. A rejection is thrown.
    public static func check(_ kind: Kind, file: String, fragment: String = "") throws -> [String: Any]? {
        switch try verdict(kind, file: file, fragment: fragment) {
        case .valid(let summary):
            return summary
        case .unavailable(let what):
            try unavailable(what)
            return nil
        case .invalid(let reasons):
            throw Failure(description: reasons)
        }
    }

    /// Starts a one-shot HTTP server that answers a Pushgateway PUT and records it.
    public static func pushgatewaySink(in folder: String) throws -> PushgatewaySink? {
        guard let python = python(for: nil) else {
            try unavailable("python3")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let portFile = folder + "/pushgateway.port", bodyFile = folder + "/pushgateway.body"
        process.arguments = [script, "pushgateway-sink", portFile, bodyFile]
        try process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                return PushgatewaySink(process: process, port: port, bodyFile: bodyFile)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw Failure(description: "the Pushgateway stand-in did not start")
    }

    public struct PushgatewaySink {
        let process: Process
        public let port: Int
        let bodyFile: String

        /// The request it received: method, path, contentType and body.
        public func received() throws -> [String: String] {
            process.waitUntilExit()
            let data = try Data(contentsOf: URL(fileURLWithPath: bodyFile))
            return try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
        }

        public func stop() {
            if process.isRunning { process.terminate() }
        }
    }

    /// Throws in CI, where every consumer must be installed; elsewhere says what is skipped.
    public static func unavailable(_ what: String) throws {
        guard ProcessInfo.processInfo.environment["CI"] != "true" else {
            throw Failure(description: "consumer missing in CI: \(what)")
        }
        print("note: skipping a consumer check, not installed here: \(what)")
    }

    /// The first Python that has `module`: Debian's (where `make deps` installs the modules), then PATH's.
    static func python(for module: String?) -> String? {
        let candidates = ["/usr/bin/python3"] + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/python3" }
        return candidates.first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            guard let module else { return true }
            return (try? Subprocess.run(path, ["-c", "import \(module)"]).status) == 0
        }
    }
}
