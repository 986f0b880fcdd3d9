import Foundation

/// Tests/cluster/fault-proxy.py in front of the test cluster, for the lifetime of the value: a kubeconfig
/// pointing at it (the harness admin identity) and the log of what it did to each request.
final class FaultProxy {
    let kubeconfig: String
    let url: String
    private let folder: TempDirectory
    private let process: Process
    /// The proxy exits when this pipe closes (--lifeline), even if the test process crashes.
    private let lifeline = Pipe()
    private let logPath: String

    /// `spec` is the proxy's rule JSON (see the top of fault-proxy.py); `tls` is ok, wrong-name or unknown-ca.
    init(_ cluster: TestCluster, spec: String = "[]", tls: String = "ok") throws {
        folder = try TempDirectory()
        kubeconfig = folder.path + "/proxy.kubeconfig"
        logPath = folder.path + "/proxy.log"
        let script = ScanIntegrationTests.repositoryRoot + "/Tests/cluster/fault-proxy.py"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "--state", cluster.stateDirectory, "--spec", spec, "--tls", tls,
            "--kubeconfig-out", kubeconfig, "--log", logPath, "--lifeline",
        ]
        process.standardInput = lifeline
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The first line is the port, printed once the socket listens; EOF first means the proxy failed.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw TestFailure("fault-proxy.py did not start (spec \(spec))")
        }
        url = "https://127.0.0.1:\(port)"
    }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }

    struct Entry: Decodable {
        var method: String
        var path: String
        var rule: Int?
        var fault: String?
        /// The real server's status, on a delayed request.
        var upstream: Int?
    }

    /// Every request the proxy saw, in order.
    func log() throws -> [Entry] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    /// The requests a fault was injected into.
    func injected() throws -> [Entry] { try log().filter { $0.fault != nil } }
}
