import Synchronization
import Testing

@testable import Inventory

@Suite struct BoundedConcurrentMapTests {
    /// How many transforms run at once, and the most there ever were.
    final class InFlight: Sendable {
        let counts = Mutex((now: 0, most: 0))
        func enter() { counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { counts.withLock { $0.now -= 1 } }
    }

    @Test(arguments: [1, 2, 3, 50])
    func resultsComeInOrderWithAtMostTheBoundRunning(bound: Int) async {
        let inFlight = InFlight()
        let elements = Array(0..<20)
        let results = await elements.boundedConcurrentMap(maxInFlight: bound) { element in
            inFlight.enter()
            // Later elements finish first, so completion order is not the collection's.
            try? await Task.sleep(for: .milliseconds(20 - element))
            inFlight.leave()
            return element * 10
        }
        #expect(results == elements.map { $0 * 10 })
        let most = inFlight.counts.withLock { $0.most }
        #expect(most <= bound)
        #expect(most >= min(bound, 2), "the transforms did not overlap")
    }

    @Test func anEmptyCollectionAndANonPositiveBound() async {
        #expect(await [Int]().boundedConcurrentMap(maxInFlight: 4) { $0 }.isEmpty)
        #expect(await [1, 2, 3].boundedConcurrentMap(maxInFlight: 0) { $0 + 1 } == [2, 3, 4])
    }
}
