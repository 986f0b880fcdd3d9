import Dispatch
import Glibc
import Synchronization

/// Set by the task that awaits a transfer when it is cancelled; read by the transfer thread.
final class CancellationFlag: Sendable {
    private let flag = Atomic(false)

    var isCancelled: Bool { flag.load(ordering: .relaxed) }

    func cancel() {
        flag.store(true, ordering: .relaxed)
    }
}

/// One request on its way to a transfer thread, with the continuation its caller awaits.
struct Transfer: Sendable {
    let request: PreparedRequest
    let configuration: CurlConfiguration
    let cancellation: CancellationFlag
    let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>

    func perform(reusing handle: inout CurlEasyHandle?) -> Result<HTTPResponse, TransportError> {
        guard !cancellation.isCancelled else { return .failure(.cancelled) }
        do throws(TransportError) {
            let ready: CurlEasyHandle
            if let handle {
                ready = handle
            } else {
                ready = try CurlEasyHandle()
                handle = ready
            }
            return ready.perform(request, configuration: configuration, cancellation: cancellation)
        } catch {
            return .failure(error)
        }
    }
}

/// Runs transfers on dedicated threads, at most `capacity` at once.
///
/// `curl_easy_perform` blocks for a whole request, so it must not run on Swift's cooperative pool (one
/// thread per core): a few slow requests would stall every task in the process. Dispatch's global
/// queues are no way out on Linux, where they add threads for blocked work items only after a delay.
///
/// Each thread owns one easy handle, and so one connection cache, for its whole life; that makes the
/// number of threads the bound on requests in flight and on open connections. Threads start only when
/// every existing one is busy, and an idle thread is picked last-in first-out so that a caller sending
/// one request at a time keeps reusing the same warm connection.
final class TransferThreadPool: Sendable {
    private struct State {
        var waiting: [Transfer] = []
        var idle: [Worker] = []
        var threadCount = 0
        /// Started and not yet handed to a joiner.
        var threads: [pthread_t] = []
        /// Threads whose body has returned; only tests look.
        var finished = 0
        var isShutDown = false
    }

    private enum Placement {
        case handedTo(Worker)
        case started
        case failedToStart
        case queued
        case refused
    }

    private enum NextStep {
        case run(Transfer)
        case park
        case exit
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    func submit(_ transfer: Transfer) {
        let placement = state.withLock { state -> Placement in
            if state.isShutDown { return .refused }
            if let worker = state.idle.popLast() {
                worker.mailbox.withLock { $0 = transfer }
                return .handedTo(worker)
            }
            if state.threadCount < capacity {
                // Started under the lock, so that a shutdown never misses a thread it must join.
                guard let thread = startThread(first: transfer) else { return .failedToStart }
                state.threadCount += 1
                state.threads.append(thread)
                return .started
            }
            state.waiting.append(transfer)
            return .queued
        }
        switch placement {
        case .handedTo(let worker):
            worker.wakeUp.signal()
        case .refused:
            transfer.continuation.resume(returning: .failure(.other("the transport is shut down")))
        case .failedToStart:
            transfer.continuation.resume(returning: .failure(.other("cannot start a transfer thread")))
        case .started, .queued:
            break
        }
    }

    /// Lets every thread finish once no transfer is left, and returns the threads not yet handed out
    /// for joining: each frees its handle and connections before it ends. Later transfers are refused.
    func shutDown() -> [pthread_t] {
        let (parked, threads) = state.withLock { state in
            state.isShutDown = true
            defer {
                state.idle.removeAll()
                state.threads.removeAll()
            }
            return (state.idle, state.threads)
        }
        parked.forEach { $0.wakeUp.signal() }
        return threads
    }

    /// How many transfer threads were started, and how many have ended.
    var threadCounts: (started: Int, finished: Int) { state.withLock { ($0.threadCount, $0.finished) } }

    private func startThread(first: Transfer) -> pthread_t? {
        let context = Unmanaged.passRetained(ThreadStart(pool: self, first: first)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let start = Unmanaged<ThreadStart>.fromOpaque(context).takeRetainedValue()
            start.pool.serve(first: start.first)
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    /// The body of a transfer thread.
    private func serve(first: Transfer) {
        serveTransfers(first: first)
        state.withLock { $0.finished += 1 }
    }

    /// Runs transfers until the pool shuts down; the handle, and its connections, go with the return.
    private func serveTransfers(first: Transfer) {
        let worker = Worker()
        var handle: CurlEasyHandle?
        var transfer = first
        while true {
            let result = transfer.perform(reusing: &handle)
            // Check in before waking the caller: a caller that sends its next request at once then
            // finds this thread, and its warm connection, idle instead of starting another thread.
            let step = checkIn(worker)
            transfer.continuation.resume(returning: result)
            switch step {
            case .run(let next):
                transfer = next
            case .exit:
                return
            case .park:
                worker.wakeUp.wait()
                // An empty mailbox is the pool's signal to exit.
                guard let next = worker.mailbox.withLock({ mailbox in
                    defer { mailbox = nil }
                    return mailbox
                }) else { return }
                transfer = next
            }
        }
    }

    /// Takes the oldest waiting transfer for `worker`, or parks it among the idle threads.
    private func checkIn(_ worker: Worker) -> NextStep {
        state.withLock { state in
            if !state.waiting.isEmpty { return .run(state.waiting.removeFirst()) }
            if state.isShutDown { return .exit }
            state.idle.append(worker)
            return .park
        }
    }
}

/// A transfer thread as the pool sees it while the thread is parked.
private final class Worker: Sendable {
    let wakeUp = DispatchSemaphore(value: 0)
    /// Filled, under the pool's lock, just before `wakeUp` is signalled.
    let mailbox = Mutex<Transfer?>(nil)
}

private final class ThreadStart: Sendable {
    let pool: TransferThreadPool
    let first: Transfer

    init(pool: TransferThreadPool, first: Transfer) {
        self.pool = pool
        self.first = first
    }
}
