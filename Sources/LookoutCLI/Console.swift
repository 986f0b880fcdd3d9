import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// stdout for results, stderr for diagnostics. Nothing here ever prints credentials: callers pass
/// messages built from errors that never embed them.
enum Console {
    /// `--log-format json` turns diagnostics into JSON lines on stdout (JSONLog). Set once by a command
    /// after parsing its arguments, before it starts any concurrent work.
    nonisolated(unsafe) static var logFormat = LogFormat.text

    static func out(_ text: String) {
        write(Data(text.utf8), to: STDOUT_FILENO)
    }

    /// Bytes as they are (a saved snapshot).
    static func out(_ bytes: Data) {
        write(bytes, to: STDOUT_FILENO)
    }

    /// A failure that ends the command: "lookout: MESSAGE".
    static func error(_ message: String) {
        diagnostic(.error, "lookout: ", message)
    }

    static func warning(_ message: String) {
        diagnostic(.warning, "warning: ", message)
    }

    static func note(_ message: String) {
        diagnostic(.info, "note: ", message)
    }

    /// A diagnostic that carries its own wording ("gate failed: …", "lookout scan: …").
    static func report(_ text: String, level: LogLevel) {
        diagnostic(level, "", text)
    }

    /// On stderr with its prefix; as a JSON line without it.
    private static func diagnostic(_ level: LogLevel, _ prefix: String, _ message: String) {
        if logFormat == .json { return JSONLog.diagnostic(level, message) }
        let text = prefix + message
        write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8), to: STDERR_FILENO)
    }

    private static func write(_ data: Data, to descriptor: Int32) {
        var bytes = data[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Colour on a terminal unless NO_COLOR is set (https://no-color.org).
    static var useColor: Bool {
        stdoutIsTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }
}

/// How serious a diagnostic is: the `level` of a JSON log line.
enum LogLevel: String {
    case error, warning, info
}

/// The documented exit codes.
enum ExitCode: Int32 {
    /// Scan complete and every gate passed.
    case success = 0
    /// Scan complete and a gate failed.
    case gateFailed = 1
    /// Bad usage or a bad input file.
    case usage = 2
    /// The cluster was unreachable, rejected the credentials, or the scan could not complete.
    case clusterError = 3

    /// A report, snapshot or policy file could not be written: the run did not complete, like a failed
    /// Pushgateway push or report ConfigMap write, and unlike bad usage.
    static let outputFailed = ExitCode.clusterError
}
