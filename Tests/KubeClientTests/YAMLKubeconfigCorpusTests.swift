import Foundation
import Testing
@testable import Documents
@testable import KubeClient

/// Kubeconfigs shaped like the ones real tools write (all credentials are fake).
@Suite("YAML kubeconfig corpus")
struct YAMLKubeconfigCorpusTests {
    /// The parts of a kubeconfig Lookout reads, decoded the way the kubeconfig loader can: YAML to
    /// JSON to `Decodable`.
    struct Kubeconfig: Decodable {
        struct Named<Value: Decodable>: Decodable {
            var name: String
            var value: Value

            enum CodingKeys: String, CodingKey { case name, cluster, user, context }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                name = try container.decode(String.self, forKey: .name)
                let key = [CodingKeys.cluster, .user, .context].first { container.contains($0) } ?? .cluster
                value = try container.decode(Value.self, forKey: key)
            }
        }

        struct Cluster: Decodable {
            var server: String
        }

        struct User: Decodable {
            var token: String?
            var exec: Exec?
        }

        struct Exec: Decodable {
            var command: String
            var args: [String]?
        }

        struct Context: Decodable {
            var cluster: String
            var user: String
            var namespace: String?
        }

        var apiVersion: String
        var kind: String
        var clusters: [Named<Cluster>]
        var users: [Named<User>]
        var contexts: [Named<Context>]
        var currentContext: String

        enum CodingKeys: String, CodingKey {
            case apiVersion, kind, clusters, users, contexts
            case currentContext = "current-context"
        }
    }

    static func root(_ name: String) throws -> YAMLNode {
        let url = KubeconfigCorpus.directory.appendingPathComponent(name)
        let documents = try YAML.parseDocuments(try KubeconfigCorpus.text(of: url), file: name)
        try #require(documents.count == 1)
        return documents[0]
    }

    @Test(arguments: try KubeconfigCorpus.files().map(\.lastPathComponent).filter { $0 != "empty.yaml" })
    func decodesAndIsConsistent(file: String) throws {
        let root = try Self.root(file)
        let config = try JSONDecoder().decode(Kubeconfig.self, from: try root.jsonData())
        #expect(config.apiVersion == "v1")
        #expect(config.kind == "Config")
        let clusterNames = Set(config.clusters.map(\.name))
        let userNames = Set(config.users.map(\.name))
        for context in config.contexts {
            #expect(clusterNames.contains(context.value.cluster), "\(context.name) names a missing cluster")
            #expect(userNames.contains(context.value.user), "\(context.name) names a missing user")
        }
        #expect(config.contexts.contains { $0.name == config.currentContext })
        #expect(config.clusters.allSatisfy { $0.value.server.hasPrefix("https://") })
    }

    @Test func emptyKubeconfigHasNoDocuments() throws {
        let url = KubeconfigCorpus.directory.appendingPathComponent("empty.yaml")
        #expect(try YAML.parseDocuments(try KubeconfigCorpus.text(of: url)).isEmpty)
    }

    @Test func eksExecPlugin() throws {
        let exec = try #require(try Self.root("eks.yaml")["users"]?.sequence?.first?["user"]?["exec"])
        #expect(exec["command"]?.string == "aws")
        #expect(exec["args"]?.sequence?.compactMap(\.string) ==
                ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "prod", "--output", "json"])
        #expect(exec["env"]?.sequence?.first?["value"]?.string == "prod-admin")
        #expect(exec["provideClusterInfo"]?.resolved() == .bool(false))
    }

    @Test func gkeInstallHintIsAMultiLinePlainScalar() throws {
        let exec = try #require(try Self.root("gke.yaml")["users"]?.sequence?.first?["user"]?["exec"])
        #expect(exec["installHint"]?.string == "Install gke-gcloud-auth-plugin for use with kubectl by following "
                + "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin")
        #expect(exec["provideClusterInfo"]?.resolved() == .bool(true))
    }

    @Test func aksKubeloginWithIndentedLiteralHint() throws {
        let exec = try #require(try Self.root("aks.yaml")["users"]?.sequence?.first?["user"]?["exec"])
        #expect(exec["command"]?.string == "kubelogin")
        #expect(exec["args"]?.sequence?.count == 11)
        #expect(exec["env"]?.isNull == true)
        #expect(exec["installHint"]?.string == "\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\n"
                + "To learn more, please go to https://aka.ms/aks/kubelogin\n")
    }

    @Test func openShiftNamesWithColonsAndSlashes() throws {
        let root = try Self.root("openshift.yaml")
        #expect(root["current-context"]?.string == "openshift-monitoring/api-ocp-example-com:6443/kube:admin")
        #expect(root["clusters"]?.sequence?.first?["cluster"]?["insecure-skip-tls-verify"]?.resolved() == .bool(true))
        #expect(root["users"]?.sequence?.first?["user"]?["token"]?.string?.hasPrefix("sha256~") == true)
    }

    @Test func rancherHasSeveralClusters() throws {
        let root = try Self.root("rancher.yaml")
        #expect(root["clusters"]?.sequence?.compactMap { $0["name"]?.string } ==
                ["downstream-prod", "downstream-prod-node-1", "downstream-staging"])
        #expect(root["users"]?.sequence?.last?["user"]?["token"]?.string?.hasPrefix("kubeconfig-user-x7k2p:") == true)
    }

    @Test func oddQuoting() throws {
        let root = try Self.root("odd-quoting.yaml")
        let cluster = try #require(root["clusters"]?.sequence?.first)
        #expect(cluster["name"]?.string == "it's-a-cluster")
        #expect(cluster["cluster"]?["server"]?.string == "https://odd.example.com:6443/prefix")
        #expect(cluster["cluster"]?["insecure-skip-tls-verify"]?.resolved() == .string("true"))
        #expect(cluster["cluster"]?["disable-compression"]?.resolved() == .bool(true))
        let user = try #require(root["users"]?.sequence?.first)
        #expect(user["name"]?.string == "tab\tand \"quotes\"")
        #expect(user["user"]?["password"]?.string == "p@ss: #not-a-comment \\ é!🔒")
        #expect(user["user"]?["token"]?.string == "a folded\nsingle-quoted token")
        #expect(root["contexts"]?.sequence?.first?["context"]?["namespace"]?.resolved() == .string("0123"))
    }

    @Test func blockScalars() throws {
        let user = try #require(try Self.root("block-scalars.yaml")["users"]?.sequence?.first?["user"]?["exec"])
        let args = try #require(user["args"]?.sequence?.map(\.string))
        #expect(args.count == 6)
        #expect(args[1]?.hasPrefix("# A comment inside a literal block is content.\nset -eu\n") == true)
        #expect(args[2] == "keep no trailing newline")
        #expect(args[3] == "keep trailing newlines\n\n")
        #expect(args[4] == "folded lines become one\n\n  but more-indented\n  lines keep their breaks\n\nand empty lines become newlines\n")
        #expect(args[5] == "  leading spaces kept by an indentation indicator\n one space less\n")
        #expect(user["installHint"]?.string == "clip-keep hint\n\n")
    }

    @Test func anchorsAndMergeKeys() throws {
        let root = try Self.root("comments-anchors.yaml")
        let clusters = try #require(root["clusters"]?.sequence)
        #expect(clusters[0]["cluster"]?["certificate-authority-data"]?.string?.hasPrefix("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZBS0UtQ0Et") == true)
        #expect(clusters[1]["cluster"]?["certificate-authority-data"]?.string?.hasPrefix("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZBS0UtQ0xJ") == true)
        let users = try #require(root["users"]?.sequence)
        #expect(users[0]["name"]?.string == "sso")
        #expect(users[0]["user"]?["exec"]?["interactiveMode"]?.string == "Always")
        #expect(users[0]["user"]?["exec"]?["apiVersion"]?.string == "client.authentication.k8s.io/v1beta1")
        #expect(users[1]["user"]?["exec"]?["interactiveMode"]?.string == "IfAvailable")
        #expect(users[1]["user"]?["exec"]?["args"]?.sequence?.compactMap(\.string) == ["login", "--browser"])
        let contexts = try #require(root["contexts"]?.sequence)
        #expect(contexts.map { $0["context"]?["user"]?.string } == ["sso", "sso"])
        #expect(contexts[1]["context"]?["namespace"]?.isNull == true)
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let root = try Self.root("windows-crlf-bom.yaml")
        #expect(root.pairs?.first?.key.string == "apiVersion")
        #expect(root["users"]?.sequence?.first?["user"]?["tokenFile"]?.string == #"C:\Users\dev\.kube\token"#)
        #expect(root["current-context"]?.mark == YAMLMark(line: 13, column: 18))
    }

    @Test func jsonKubeconfig() throws {
        let root = try Self.root("json-format.json")
        let extra = root["users"]?.sequence?.first?["user"]?["as-user-extra"]?["reason"]?.sequence?.compactMap(\.string)
        #expect(extra == ["debug \"quoted\" \\ path", "café 🚀"])
        let numbers = root["extensions"]?.sequence?.first?["extension"]
        #expect(numbers?["int"]?.resolved() == .int(42))
        #expect(numbers?["float"]?.resolved() == .double(1.5))
        // YAML 1.1, as PyYAML reads it: a float needs a dot, so JSON's 1e3 stays text.
        #expect(numbers?["exp"]?.resolved() == .string("1e3"))
        #expect(numbers?["nothing"]?.isNull == true)
    }

    @Test func flowStyle() throws {
        let exec = try #require(try Self.root("flow-style.yaml")["users"]?.sequence?.first?["user"]?["exec"])
        #expect(exec["args"]?.sequence?.compactMap(\.string) == ["token", "--audience", "https://dev.example.com"])
        #expect(exec["env"]?.sequence?.first?["value"]?.string == "bar baz")
    }

    @Test func minikubeExtensionsKeepCommasInPlainScalars() throws {
        let cluster = try Self.root("minikube.yaml")["clusters"]?.sequence?.first?["cluster"]
        #expect(cluster?["extensions"]?.sequence?.first?["extension"]?["last-update"]?.string == "Tue, 14 May 2024 10:21:33 CEST")
    }
}
