/// Sends HTTP requests through libcurl, which — unlike URLSession on Linux — can trust a given CA
/// only, present a client certificate, skip verification and verify against a TLS server name.
///
/// Callers may fire any number of requests at once, from a task group for instance: at most
/// `maxConcurrentRequests` are in flight, the rest wait their turn without occupying a thread.
/// Connections are kept alive and reused between requests.
public final class CurlTransport: Sendable {
    private let configuration: CurlConfiguration
    private let threads: TransferThreadPool

    public init(options: TransportOptions) throws(TransportError) {
        guard options.maxConcurrentRequests >= 1 else {
            throw .invalidConfiguration("maxConcurrentRequests must be at least 1, not \(options.maxConcurrentRequests)")
        }
        configuration = try CurlConfiguration(options)
        try CurlEasyHandle().configure(configuration)
        threads = TransferThreadPool(capacity: options.maxConcurrentRequests)
    }

    deinit {
        threads.shutDown()
    }

    /// Sends `request` and returns the server's response, whatever its status.
    /// Cancelling the calling task abandons the request within about a second.
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let prepared = try PreparedRequest(request, serverName: configuration.tls.serverName)
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                threads.submit(Transfer(
                    request: prepared, configuration: configuration,
                    cancellation: cancellation, continuation: continuation))
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}
