import FoundationEssentials
import KubeClient
#if canImport(Glibc)
import Glibc
#endif

@main
struct Lookout {
    static let usage = """
        Usage: lookout <command> [options]

        Commands:
          scan [framework NAMES | control IDS]   audit the cluster (default: ClusterScan, MITRE, NSA, lookout)
          list controls|frameworks [--format json]
          version

        Run `lookout scan --help` for the scan options.
        """

    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let command = arguments.isEmpty ? "help" : arguments.removeFirst()
        let code: ExitCode
        switch command {
        case "scan": code = await ScanCommand.run(arguments)
        case "list": code = ListCommand.run(arguments)
        case "version", "--version":
            Console.out("lookout \(KubeAPI.version)\n")
            code = .success
        case "help", "--help", "-h":
            Console.out(usage + "\n")
            code = .success
        default:
            Console.error("lookout: unknown command \"\(command)\"\n\n\(usage)")
            code = .usage
        }
        exit(code.rawValue)
    }
}
