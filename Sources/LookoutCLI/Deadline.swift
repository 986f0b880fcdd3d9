import Dispatch
import FoundationEssentials
import KubeClient
#if canImport(Glibc)
import Glibc
#endif

/// `--timeout DURATION`: one bound on a whole command, so that an unattended CronJob or CI job always
/// ends, whatever stalls (a server that trickles bytes, a retry loop, a credential plugin waiting for
/// a user). When it passes, Lookout says so and exits 3 at once: no report is written, since a report of
/// a half-read cluster could pass a gate.
enum Deadline {
    static let defaultDuration: Duration = .seconds(30 * 60)

    /// `--timeout DURATION`, declared once for every command that reads the cluster.
    static func option<Root>(_ property: WritableKeyPath<Root, Timeout?>) -> Option<Root> {
        Option(
            "timeout", help: "stop with exit 3 when it takes longer (default 30m; 90s, 10m, 1h30m; 0 = never)", property)
    }

    /// Starts the clock for `command` from the `--timeout` option (or the default).
    static func arm(_ timeout: Timeout?, command: String) {
        let duration = timeout?.duration ?? defaultDuration
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        let nanoseconds = Int(min(seconds, Int64(Int.max / 1_000_000_000 - 1))) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        let shown = timeout?.text ?? "30m"
        // A Dispatch timer, not a task: it fires even when every task is stuck in a blocking call.
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
            Console.report("lookout \(command): did not finish within \(shown) (--timeout); stopped without a report", level: .error)
            ChildProcess.stopAll()
            SnapshotDestination.removeTemporaryFiles()
            // _exit, not exit: transfer threads may be stuck in a request, and no thread can be joined.
            _exit(ExitCode.clusterError.rawValue)
        }
    }

    /// Go's duration syntax, as kubectl's `--request-timeout` takes it: `90s`, `10m`, `1h30m`, `1.5h`,
    /// `500ms`; a bare `0` means no limit.
    static func parse(_ text: String) throws(UsageError) -> Duration {
        let invalid = UsageError(description: "--timeout takes a duration such as 90s, 10m or 1h30m, got \"\(text)\"")
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            case "ms": scale = 0.001
            default: throw invalid
            }
            guard let value = Double(number), value.isFinite else { throw invalid }
            total += value * scale
        }
        // A year is longer than any scan; past it the number is a typo (and Duration would overflow).
        guard !text.isEmpty, total.isFinite, total <= 366 * 86400 else { throw invalid }
        return .milliseconds(Int64((total * 1000).rounded(.up)))
    }
}

/// The value of `--timeout`, as given (for the message when it passes) and as a duration.
struct Timeout: ArgumentValue {
    var text: String
    var duration: Duration

    init(argument: String, option: String) throws(UsageError) {
        text = argument
        duration = try Deadline.parse(argument)
    }
}
