import FoundationEssentials
import Testing
@testable import LookoutCLI

/// The documented exit codes, by kind of failure, from the commands run in-process on the demo
/// manifests (`--timeout 0`: no deadline timer is left in the test process).
@Suite struct ExitCodeTests {
    static let demo = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "cluster/demo").path

    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "lookout-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func scan(_ arguments: [String]) async -> Int32 {
        await Lookout.run(["scan", "--from", Self.demo, "--timeout", "0"] + arguments)
    }

    @Test func codes() {
        #expect(ExitCode.success.rawValue == 0)
        #expect(ExitCode.gateFailed.rawValue == 1)
        #expect(ExitCode.usage.rawValue == 2)
        #expect(ExitCode.clusterError.rawValue == 3)
        #expect(ExitCode.outputFailed == .clusterError)
    }

    @Test func aCompleteScanExits0AndAFailedGate1() async throws {
        let output = try folder() + "/report.json"
        #expect(await scan(["--format", "json", "--output", output]) == 0)
        #expect(FileManager.default.fileExists(atPath: output))
        #expect(await scan(["--format", "json", "--output", output, "--severity-threshold", "high"]) == 1)
    }

    @Test func usageErrorsExit2() async {
        #expect(await Lookout.run(["bogus"]) == 2)
        #expect(await Lookout.run(["scan", "--bogus"]) == 2)
        #expect(await Lookout.run(["list"]) == 2)
        #expect(await Lookout.run(["generate"]) == 2)
        #expect(await scan(["--exceptions", "/nonexistent/exceptions.yaml"]) == 2)
    }

    /// A report that cannot be written is an I/O failure (3, as a failed push or ConfigMap write), not
    /// bad usage.
    @Test func aFailedReportWriteExits3() async throws {
        #expect(await scan(["--format", "json", "--output", "/nonexistent/dir/report.json"]) == 3)
        #expect(await Lookout.run(["generate", "admission-policy", "--output", "/nonexistent/dir/policies.yaml"]) == 3)
    }

    @Test func helpAndVersionExit0() async {
        for arguments in [["--help"], ["help"], ["--version"], ["version"], ["list", "--help"], ["list", "frameworks", "-h"],
                          ["generate", "--help"], ["generate", "admission-policy", "--help"], ["diff", "--help"]] {
            #expect(await Lookout.run(arguments) == 0, "\(arguments)")
        }
    }
}
