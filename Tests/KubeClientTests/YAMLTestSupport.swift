import Foundation
import Testing
@testable import Documents

/// The compact JSON of each document of a YAML stream.
func jsonDocuments(_ yaml: String) throws -> [String] {
    try YAML.parseDocuments(yaml).map { String(decoding: try $0.jsonData(), as: UTF8.self) }
}

/// The compact JSON of the single document of a YAML stream.
func json(_ yaml: String) throws -> String {
    let documents = try jsonDocuments(yaml)
    try #require(documents.count == 1, "expected one document, got \(documents.count)")
    return documents[0]
}

/// The single document of a YAML stream.
func node(_ yaml: String) throws -> YAMLNode {
    let documents = try YAML.parseDocuments(yaml)
    try #require(documents.count == 1, "expected one document, got \(documents.count)")
    return documents[0]
}

/// The error a YAML stream fails with, or nil when it parses.
func parseError(_ yaml: String, file: String? = nil) -> YAMLError? {
    do {
        _ = try YAML.parseDocuments(yaml, file: file)
        return nil
    } catch {
        return error
    }
}

enum KubeconfigCorpus {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kubeconfigs")

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { ["yaml", "json"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func text(of file: URL) throws -> String {
        String(decoding: try Data(contentsOf: file), as: UTF8.self)
    }
}

/// A text form of a value in which two values are equal exactly when they are the same YAML data,
/// NaN included (which `==` on `Double` would call unequal to itself).
func canonical(_ value: YAMLValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let value): value ? "true" : "false"
    case .int(let value): "int:\(value)"
    case .double(let value): value.isNaN ? "double:nan" : "double:\(value)"
    case .string(let value): "\"\(value.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined())\""
    case .array(let items): "[" + items.map(canonical).joined(separator: ", ") + "]"
    case .object(let members): "{" + members.map { "\(canonical(.string($0.key))): \(canonical($0.value))" }.joined(separator: ", ") + "}"
    }
}

extension YAMLValue {
    /// The members of an object as a dictionary, for lookups in tests.
    var object: [String: YAMLValue]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }
}

/// PyYAML, run in a python3 child process, as the reference reader.
enum PyYAMLOracle {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Why the oracle cannot run here, or nil when it can.
    static let unavailableReason: String? = {
        do {
            let result = try run(arguments: ["-c", pinnedPath + "import yaml"], input: Data())
            switch result.status {
            case 0: return nil
            default: return "python3 cannot import yaml (PyYAML): \(result.errorText)"
            }
        } catch {
            return "python3 cannot be started: \(error)"
        }
    }()

    /// False outside CI when PyYAML is missing, which skips the comparison (saying why, once); in CI
    /// the comparison runs anyway, and `confirmAvailable` turns the missing oracle into a failure.
    static let shouldRun: Bool = {
        if let unavailableReason, !isCI {
            print("Skipping the PyYAML oracle comparison: \(unavailableReason)")
            return false
        }
        return true
    }()

    /// Records a failure when the oracle is missing; returns whether the comparison can go ahead.
    static func confirmAvailable() -> Bool {
        guard let unavailableReason else { return true }
        Issue.record("CI=true but the PyYAML oracle is unavailable: \(unavailableReason). Install python3 and PyYAML (python3-yaml).")
        return false
    }

    enum OracleError: Error {
        case failed(String)
    }

    /// What PyYAML made of one stream: its documents, its error message, or the exception it failed
    /// with where it should have given one or the other.
    enum Outcome {
        case documents([YAMLValue])
        case error(String)
        case crash(String)
    }

    /// Loads every stream with `yaml.safe_load_all` in one python3 process. Timestamps are kept as
    /// text (as Lookout does) and values travel as a typed tree, so ints, floats and key order
    /// survive exactly.
    static func load(_ streams: [String]) throws -> [Outcome] {
        let input = try JSONEncoder().encode(streams)
        let result = try run(arguments: ["-c", script], input: input)
        guard result.status == 0 else {
            throw OracleError.failed("python3 exited with \(result.status): \(result.errorText)")
        }
        return try JSONDecoder().decode([OracleOutcome].self, from: result.output).map(\.outcome)
    }

    /// Debian's python3-yaml (what `make deps` installs) ahead of any pip copy in /usr/local, which
    /// /usr/bin/python3 would otherwise import first: one known PyYAML, whatever else the machine has.
    private static let pinnedPath = "import sys; sys.path.insert(0, '/usr/lib/python3/dist-packages'); "

    private static let script = pinnedPath + #"""
import json, yaml

class Loader(yaml.SafeLoader):
    pass

# safe_load_all, except that timestamps stay strings.
Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))

class Unrepresentable(Exception):
    pass

def key(k):
    # How json.dumps writes a dict key.
    if k is True: return "true"
    if k is False: return "false"
    if k is None: return "null"
    if isinstance(k, float): return json.dumps(k)
    return checked(str(k))

def checked(v):
    # PyYAML keeps a JSON-style surrogate pair ("\\ud83d\\ude80") as two code points; Lookout, like JSON,
    # reads one character. Pairs are joined here; a lone surrogate is no character at all.
    v = v.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise Unrepresentable("a lone surrogate (from a \\uD800-style escape), which no Swift string holds")
    return v

def tree(v):
    if v is None: return ["null"]
    if isinstance(v, bool): return ["bool", "true" if v else "false"]
    if isinstance(v, int): return ["int", str(v)]
    if isinstance(v, float): return ["float", repr(v)]
    if isinstance(v, str): return ["str", checked(v)]
    if isinstance(v, list): return ["seq", [tree(x) for x in v]]
    if isinstance(v, dict): return ["map", [[key(k), tree(x)] for k, x in v.items()]]
    return ["str", "<unsupported %s>" % type(v).__name__]

out = []
# Bytes, not sys.stdin: its decoding follows the locale, which can turn UTF-8 into lone surrogates.
for text in json.loads(sys.stdin.buffer.read().decode("utf-8")):
    try:
        out.append(["ok", [tree(d) for d in yaml.load_all(text, Loader=Loader)]])
    except yaml.YAMLError as e:
        out.append(["error", str(e)])
    except Exception as e:
        # Not a verdict: PyYAML's own bug (int("0Bx1F") after its resolver took the text for an integer),
        # or a value no Swift string can hold.
        out.append(["crash", "%s: %s" % (type(e).__name__, e)])
json.dump(out, sys.stdout)
"""#

    private struct OracleOutcome: Decodable {
        var outcome: Outcome

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            switch try container.decode(String.self) {
            case "ok": outcome = .documents(try container.decode([OracleValue].self).map(\.value))
            case "crash": outcome = .crash(try container.decode(String.self))
            default: outcome = .error(try container.decode(String.self))
            }
        }
    }

    private struct OracleValue: Decodable {
        var value: YAMLValue

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            switch try container.decode(String.self) {
            case "null":
                value = .null
            case "bool":
                value = .bool(try container.decode(String.self) == "true")
            case "int":
                // Lookout reads integers beyond Int as doubles.
                let digits = try container.decode(String.self)
                value = Int(digits).map(YAMLValue.int) ?? .double(Double(digits) ?? .nan)
            case "float":
                value = .double(Double(try container.decode(String.self)) ?? .nan)
            case "str":
                value = .string(try container.decode(String.self))
            case "seq":
                value = .array(try container.decode([OracleValue].self).map(\.value))
            case "map":
                var members: [YAMLValue.Member] = []
                var entries = try container.nestedUnkeyedContainer()
                while !entries.isAtEnd {
                    var entry = try entries.nestedUnkeyedContainer()
                    let key = try entry.decode(String.self)
                    members.append(YAMLValue.Member(key: key, value: try entry.decode(OracleValue.self).value))
                }
                value = .object(members)
            case let kind:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown kind \(kind)")
            }
        }
    }

    private struct RunResult {
        var status: Int32
        var output: Data
        var errorText: String
    }

    private static func run(arguments: [String], input: Data) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Python reads all of stdin before it writes anything, and its stderr only ever holds a
        // short traceback, so reading the pipes one after the other cannot deadlock.
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, output: output,
                         errorText: String(decoding: errorOutput, as: UTF8.self))
    }
}
