import Foundation
import Testing

@testable import KubeClient

/// Issue 11 defect 2: exec credential plugins had no time limit, no output cap, and a helper they left
/// in the background (holding stdout) made the scan wait for ever.
struct ChildProcessTests {
    func shell(_ script: String, _ limits: ChildProcess.Limits) throws(ChildProcess.Failure) -> Data {
        try ChildProcess.run(executable: "/bin/sh", arguments: ["sh", "-c", script], environment: [:], limits: limits)
    }

    static let short = ChildProcess.Limits(timeout: .seconds(1), maxOutput: 1 << 20)

    @Test func aPluginThatHangsIsStoppedAtItsTimeLimit() throws {
        let started = ContinuousClock.now
        #expect { try shell("echo partial; sleep 20", Self.short) } throws: { error in
            "\(error)".contains("did not finish within")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aBackgroundHelperHoldingStdoutDoesNotHoldTheScan() throws {
        let started = ContinuousClock.now
        let output = try shell("sleep 20 & echo done", .nonInteractive)
        #expect(String(decoding: output, as: UTF8.self) == "done\n")
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func outputBeyondTheCapIsRefused() throws {
        #expect { try shell("head -c 2000000 /dev/zero", .nonInteractive) } throws: { error in
            "\(error)".contains("printed more than 1048576 bytes")
        }
    }

    @Test func everythingPrintedBeforeTheExitIsRead() throws {
        let output = try shell("head -c 300000 /dev/zero | tr '\\\\0' x", .nonInteractive)
        #expect(output.count == 300_000)
    }

    @Test func nonInteractivePluginsGetOneMinute() {
        #expect(ChildProcess.Limits.nonInteractive.timeout == .seconds(60))
        var exec = Kubeconfig.ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: "x", baseDirectory: "/")
        exec.interactiveMode = "Never"
        let plugin = ExecPlugin(config: exec, server: "https://x", tls: TLSOptions(), environment: [:])
        #expect(!plugin.isInteractive)
    }
}
