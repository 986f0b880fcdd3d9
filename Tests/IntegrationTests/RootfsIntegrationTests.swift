import ConsumerSupport
import Foundation
import LookoutCLI
import Testing

extension InClusterIntegrationTests {
    /// The container image's file tree (`make rootfs`, the same tree the Containerfile copies into an
    /// empty image) run the way a container runtime runs it: chroot into a read-only copy with /proc,
    /// /dev and the projected ServiceAccount files, as UID 65532, with nothing but the two
    /// KUBERNETES_SERVICE_* variables — and the CronJob's own arguments. Nested in the serialized suite
    /// because it writes the same report ConfigMap.
    @Suite(.enabled(if: RuntimeTree.path != nil || ProcessInfo.processInfo.environment["CI"] == "true", RuntimeTree.missing))
    struct RootfsIntegrationTests {

        @Test func theRuntimeTreeScansAsTheCronJobDoes() throws {
            let cluster = try InClusterIntegrationTests.installed()
            let source = try #require(RuntimeTree.path, RuntimeTree.missing)
            let folder = try TempDirectory()
            let root = folder.path + "/root"
            let copy = try Subprocess.run("cp", ["-a", source, root])
            #expect(copy.status == 0, "\(copy.stderr)")

            // What the runtime and the kubelet add to the image's tree: mount points and the projected volume.
            let accountDirectory = root + "/var/run/secrets/kubernetes.io/serviceaccount"
            for directory in [root + "/proc", root + "/dev", accountDirectory] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let token = try cluster.token(namespace: "lookout", serviceAccount: "lookout")
            try token.write(toFile: accountDirectory + "/token", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: cluster.caPath, toPath: accountDirectory + "/ca.crt")
            try "lookout".write(toFile: accountDirectory + "/namespace", atomically: true, encoding: .utf8)
            for file in ["token", "ca.crt", "namespace"] {
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: accountDirectory + "/" + file)
            }

            let port = cluster.environment["LOOKOUT_REALAPI_PORT"] ?? ""
            // readOnlyRootFilesystem: the root is bound onto itself read-only before anything runs in it.
            let script = """
                set -e
                root="$1"; shift
                mount --bind "$root" "$root"
                mount -o remount,bind,ro "$root"
                mount -t proc proc "$root/proc"
                mount --rbind /dev "$root/dev"
                exec /usr/bin/env -i KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=\(port) \\
                  /usr/sbin/chroot --userspec=65532:65532 "$root" /usr/local/bin/lookout "$@"
                """
            func lookout(_ arguments: [String]) throws -> Subprocess.Result {
                let result = try Subprocess.run(
                    "unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh", root] + arguments,
                    environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
                #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
                return result
            }

            let version = try lookout(["version"])
            #expect(version.status == 0 && version.stdout.hasPrefix("lookout "), "\(version.stdout)\(version.stderr)")

            let permissions = try lookout(["check-permissions", "--report-configmap", "lookout-report"])
            #expect(permissions.status == 0, "\(permissions.stdout)\(permissions.stderr)")

            let scan = try lookout(try CronJobManifest.arguments())
            #expect(scan.status == 0, "\(scan.stdout)\(scan.stderr)")
            let complete = try #require(try JSONLog.Line.parse(scan.stdout).last)
            #expect(complete.msg == "scan complete" && complete.exitCode == 0 && complete.reportConfigMap == "lookout/lookout-report")
            let digest = try #require(complete.scan)
            #expect(digest.errors.isEmpty, "a complete scan: \(digest.errors)")
            #expect(digest.summary.controls.total > 50)
            try InClusterIntegrationTests.expectNoSecretsAndNoOtherWrites(cluster)
        }
    }
}

/// The tree `make rootfs` builds: LOOKOUT_ROOTFS, else the Makefile's default .build/rootfs, when it
/// holds the binary.
enum RuntimeTree {
    static let path: String? = {
        let path = ProcessInfo.processInfo.environment["LOOKOUT_ROOTFS"] ?? InClusterIntegrationTests.repositoryRoot + "/.build/rootfs"
        return FileManager.default.isExecutableFile(atPath: path + "/usr/local/bin/lookout") ? path : nil
    }()
    static let missing: Comment = "no runtime tree: run `make rootfs` (or set LOOKOUT_ROOTFS)"
}
