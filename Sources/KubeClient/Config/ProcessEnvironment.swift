import FoundationEssentials

/// The process environment, read in one place so tests can pass their own.
public enum ProcessEnvironment {
    public static var current: [String: String] { ProcessInfo.processInfo.environment }
    static var home: String? { current["HOME"] }
}
