import FoundationEssentials
import Product
#if canImport(Glibc)
import Glibc
#endif

@main
struct Lookout {
    static let usage = """
        Usage: lookout <command> [options]

        Commands:
          scan [framework NAMES | control IDS]   audit the cluster (default: ClusterScan, MITRE, NSA, lookout)
          check-permissions                      what the credentials may read; controls a scan would skip
          collect --output snapshot.json         save what a scan reads, for `scan --from` without the cluster
          diff OLD.json NEW.json                 compare two JSON reports: new, unchanged and resolved findings
          generate admission-policy [...]        the workload controls as ValidatingAdmissionPolicies
          list controls|frameworks [--format json]
          version

        Run `lookout <command> --help` for a command's options.
        """

    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let command = arguments.isEmpty ? "help" : arguments.removeFirst()
        let code: ExitCode
        switch command {
        case "scan": code = await ScanCommand.run(arguments)
        case "check-permissions": code = await CheckPermissionsCommand.run(arguments)
        case "collect": code = await CollectCommand.run(arguments)
        case "diff": code = DiffCommand.run(arguments)
        case "generate": code = GenerateCommand.run(arguments)
        case "list": code = ListCommand.run(arguments)
        case "version", "--version":
            Console.out("lookout \(Product.version)\n")
            code = .success
        case "help", "--help", "-h":
            Console.out(usage + "\n")
            code = .success
        default:
            Console.error("lookout: unknown command \"\(command)\"\n\n\(usage)")
            code = .usage
        }
        // _exit, not exit: the transfer threads of a released transport may still be freeing their
        // curl handles and TLS connections, and exit's atexit handlers (OpenSSL's, libldap's cleanup)
        // racing them crashed ("double free or corruption") after the output was complete. Every
        // output is already written with write(2), so there is no buffer to flush.
        _exit(code.rawValue)
    }
}
