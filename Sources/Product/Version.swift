/// Lookout's version, kept in this one place: `lookout version`, the User-Agent, the reports'
/// tool.version and the container image's tag (the Makefile reads this line, so keep its shape).
public let version = "0.1.0"

/// Every request Lookout makes (API server, node proxy, Pushgateway) names it and its version.
public let userAgent = "lookout/\(version)"
