extension Collection where Self: Sendable, Element: Sendable {
    /// `transform` of every element, at most `maxInFlight` running at once, the results in the
    /// collection's order: the next element starts as soon as any running one is done.
    func boundedConcurrentMap<Result: Sendable>(
        maxInFlight: Int, _ transform: @escaping @Sendable (Element) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var pending = enumerated().makeIterator()
            func startNext() {
                guard let (offset, element) = pending.next() else { return }
                group.addTask { (offset, await transform(element)) }
            }
            for _ in 0..<Swift.min(Swift.max(maxInFlight, 1), count) { startNext() }
            var results = [Result?](repeating: nil, count: count)
            for await (offset, result) in group {
                results[offset] = result
                startNext()
            }
            return results.map { $0! }
        }
    }
}
