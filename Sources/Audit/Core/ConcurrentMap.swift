import Dispatch
import Synchronization

extension Collection where Self: Sendable, Index == Int {
    /// `map` with `transform` run on every core at once (`concurrentPerform`: as many threads as the
    /// machine has active processors, the caller's among them), the results in the collection's order.
    /// `completed`, told how many are done after each one, is called under a lock: one call at a time,
    /// counting up from 1 whatever order they finish in.
    ///
    /// For work that is a pure function of shared immutable values: evaluating controls, building
    /// findings, encoding report pieces. `transform` must not write to anything it shares.
    package func concurrentMap<Result: Sendable>(
        completed: (@Sendable (Int) -> Void)? = nil, _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        let first = startIndex
        let results = Mutex<(values: [Result?], done: Int)>((Array(repeating: nil, count: count), 0))
        DispatchQueue.concurrentPerform(iterations: count) { offset in
            let value = transform(self[first + offset])
            results.withLock { results in
                results.values[offset] = value
                results.done += 1
                completed?(results.done)
            }
        }
        // concurrentPerform returns once every iteration has stored its value.
        return results.withLock { results in results.values.map { $0! } }
    }
}

/// `first` and `second` at once, each on a core of its own when there are two: independent steps of a
/// stage that would otherwise run one after the other on one core.
package func concurrently<First: Sendable, Second: Sendable>(
    _ first: @Sendable () -> First, _ second: @Sendable () -> Second
) -> (First, Second) {
    let results = Mutex<(first: First?, second: Second?)>((nil, nil))
    DispatchQueue.concurrentPerform(iterations: 2) { job in
        if job == 0 {
            let value = first()
            results.withLock { $0.first = value }
        } else {
            let value = second()
            results.withLock { $0.second = value }
        }
    }
    // concurrentPerform returns once both have stored their value.
    return results.withLock { ($0.first!, $0.second!) }
}
