import Dispatch
import Glibc

/// Sends HTTP requests through libcurl, which — unlike URLSession on Linux — can trust a given CA
/// only, present a client certificate, skip verification and verify against a TLS server name.
///
/// Callers may fire any number of requests at once, from a task group for instance: at most
/// `maxConcurrentRequests` are in flight, the rest wait their turn without occupying a thread.
/// Connections are kept alive and reused between requests.
public final class CurlTransport: Sendable {
    private let configuration: CurlConfiguration
    private let threads: TransferThreads

    /// A transport on `threads`, shared with other transports (a process talks to its API server and
    /// to a Pushgateway on one set of threads), whose capacity then bounds the requests in flight; or
    /// on threads of its own, `maxConcurrentRequests` of them, when `threads` is nil.
    public init(options: TransportOptions, threads: TransferThreads? = nil) throws(TransportError) {
        guard options.maxConcurrentRequests >= 1 else {
            throw .invalidConfiguration("maxConcurrentRequests must be at least 1, not \(options.maxConcurrentRequests)")
        }
        configuration = try CurlConfiguration(options)
        try CurlEasyHandle().configure(configuration)
        self.threads = threads ?? TransferThreads(capacity: options.maxConcurrentRequests)
    }

    /// Sends `request` and returns the server's response, whatever its status.
    /// Cancelling the calling task abandons the request within about a second.
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let prepared = try PreparedRequest(request, serverName: configuration.tls.serverName)
        let cancellation = CancellationFlag()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                threads.pool.submit(Transfer(
                    request: prepared, configuration: configuration,
                    cancellation: cancellation, continuation: continuation))
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }

    /// Ends the transfer threads (those shared with other transports too) once their requests are
    /// done, and returns when every one has freed its connections.
    public func shutdown() async {
        await threads.shutdown()
    }
}

/// The threads that run transfers, each with its own libcurl handle and connections. Each transfer
/// brings its own settings (the handle is reset between transfers), so transports to different
/// servers can share them.
public final class TransferThreads: Sendable {
    let pool: TransferThreadPool

    /// At most `capacity` (at least 1) requests in flight; threads start only when needed.
    public init(capacity: Int) {
        pool = TransferThreadPool(capacity: max(1, capacity))
    }

    /// Waits for the requests in flight, then ends every thread and joins it: when it returns, no
    /// transfer thread is left to race the process's exit handlers (OpenSSL's cleanup among them).
    /// Later requests fail at once; a second call returns at once.
    public func shutdown() async {
        let threads = pool.shutDown()
        guard !threads.isEmpty else { return }
        // pthread_join blocks: off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                for thread in threads { pthread_join(thread, nil) }
                continuation.resume()
            }
        }
    }

    /// How many threads were started and how many have ended; tests compare them.
    public var threadCounts: (started: Int, finished: Int) { pool.threadCounts }

    deinit {
        // Nobody waits for these threads any more: they free themselves when they end.
        for thread in pool.shutDown() { pthread_detach(thread) }
    }
}
