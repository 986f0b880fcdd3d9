import Foundation
import Testing

/// Hostile or mistaken command-line values and input files (issue 11): the binary end to end, no API
/// server needed. Each ends with a clear error and a documented exit code, never a trap.
@Suite struct HardeningCLITests {
    static let pod = OfflineScanTests.pod

    func manifests() throws -> TempDirectory {
        let folder = try TempDirectory()
        try Self.pod.write(toFile: folder.path + "/pod.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    /// Defect 13: thresholds far outside 0–100 trapped in Int(...) when the gate message was written.
    @Test(arguments: [["--compliance-threshold", "1e300"], ["-t", "-1e300"], ["--fail-threshold", "101"], ["--compliance-threshold", "-0.5"]])
    func thresholdsOutsideTheScoreRangeAreUsageErrors(option: [String]) throws {
        let folder = try manifests()
        let result = try Run.lookout(["scan", "control", "C-0057", "--from", folder.path] + option)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("from 0 to 100"), "\(result.stderr)")
    }

    /// Defect 13: `diff` prints scores read from the report files, which may hold anything.
    @Test func diffOfReportsWithHugeScoresDoesNotTrap() throws {
        let folder = try manifests()
        let scan = try Run.lookout(["scan", "control", "C-0057", "--from", folder.path, "--format", "json"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let hostile = try Regex(#""(complianceScore|riskScore)" : [0-9.]+"#)
        let edited = scan.stdout.replacing(hostile) { match in "\"\(match.output[1].substring ?? "")\" : 1e300" }
        #expect(edited != scan.stdout)
        try edited.write(toFile: folder.path + "/old.json", atomically: true, encoding: .utf8)
        try scan.stdout.write(toFile: folder.path + "/new.json", atomically: true, encoding: .utf8)
        let diff = try Run.lookout(["diff", folder.path + "/old.json", folder.path + "/new.json"])
        #expect([0, 1].contains(diff.status), "\(diff.stderr)")
    }

    /// Defect 14: credentials in a server or Pushgateway URL were printed and stored.
    @Test func credentialsInURLsAreNeverPrinted() throws {
        let folder = try manifests()
        let kubeconfig = try TestCluster.offlineKubeconfig(in: folder.path, server: "https://admin:s3cret-pw@127.0.0.1:1")
        let scan = try Run.lookout(["scan", "--kubeconfig", kubeconfig])
        #expect(scan.status == 3)
        #expect(scan.stderr.contains("127.0.0.1:1"), "\(scan.stderr)")
        #expect(!(scan.stderr + scan.stdout).contains("s3cret-pw"))

        let push = try Run.lookout(["scan", "control", "C-0057", "--from", folder.path, "--pushgateway", "http://job:s3cret-pw@127.0.0.1:1"])
        #expect(push.stderr.contains("127.0.0.1:1"), "\(push.stderr)")
        #expect(!(push.stderr + push.stdout).contains("s3cret-pw"))
    }

    /// Defect 3: reports and snapshots were written 0644, readable by every user of a shared runner.
    @Test func reportFilesAreOwnerOnlyEvenWhenTheyExistedBefore() throws {
        let folder = try manifests()
        let outputFolder = try TempDirectory()
        let output = outputFolder.path + "/report"
        try "old".write(toFile: output + ".json", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: output + ".json")
        let scan = try Run.lookout(["scan", "control", "C-0057", "--from", folder.path, "--format", "json,html", "--output", output])
        #expect(scan.status == 0, "\(scan.stderr)")
        for path in [output + ".json", output + ".html"] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
    }

    /// --timeout bounds the whole command: a credential plugin that never answers (here with
    /// interactiveMode IfAvailable and no terminal, so its own 60 s limit applies too) ends the scan with
    /// exit 3 when the scan's time is up.
    @Test func timeoutEndsAScanStuckInACredentialPlugin() throws {
        let folder = try TempDirectory()
        let plugin = folder.path + "/hang"
        try "#!/bin/sh\nsleep 600\n".write(toFile: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        let kubeconfig = folder.path + "/config"
        try """
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./hang, interactiveMode: IfAvailable}}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let result = try Run.lookout(["scan", "--kubeconfig", kubeconfig, "--timeout", "3s"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("did not finish within 3s (--timeout)"), "\(result.stderr)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test(arguments: ["soon", "10", "-5m", "1e400h", "5x", ""])
    func badTimeoutsAreUsageErrors(value: String) throws {
        let folder = try manifests()
        let result = try Run.lookout(["scan", "control", "C-0057", "--from", folder.path, "--timeout", value])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--timeout takes a duration"), "\(result.stderr)")
    }

    /// Issue 11 deliverable 4: a kubeconfig that group or others may read gets a warning.
    @Test func kubeconfigReadableByOthersIsWarnedAbout() throws {
        let folder = try TempDirectory()
        let kubeconfig = try TestCluster.offlineKubeconfig(in: folder.path, server: "https://127.0.0.1:1")
        for (mode, warned) in [(0o644, true), (0o640, true), (0o600, false)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: kubeconfig)
            let result = try Run.lookout(["scan", "--kubeconfig", kubeconfig])
            #expect(result.status == 3)
            #expect(result.stderr.contains("is readable by group or others (mode 0\(String(mode, radix: 8)))") == warned, "\(result.stderr)")
        }
    }
}
