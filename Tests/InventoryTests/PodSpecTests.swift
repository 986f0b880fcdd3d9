import Inventory
import Testing

@Suite struct AllContainersTests {
    /// Containers, then init containers, then ephemeral containers, each with the path that names it.
    @Test func everyContainerInOrderWithItsPath() {
        var spec = PodSpec(
            containers: [Container(name: "a"), Container(name: "b")], initContainers: [Container(name: "init")])
        spec.ephemeralContainers = [Container(name: "debug"), Container(name: "debug-2")]
        let listed = spec.allContainers.map { "\($0.path)=\($0.container.name)" }
        #expect(listed == [
            "containers[0]=a", "containers[1]=b", "initContainers[0]=init", "ephemeralContainers[0]=debug", "ephemeralContainers[1]=debug-2",
        ])
        #expect(spec.allContainers.underestimatedCount == 5)
    }

    @Test func missingListsAreEmptyAndTheIteratorStaysDone() {
        let spec = PodSpec(containers: [Container(name: "only")])
        var iterator = spec.allContainers.makeIterator()
        #expect(iterator.next()?.path == "containers[0]")
        #expect(iterator.next() == nil)
        #expect(iterator.next() == nil)
        #expect(PodSpec(containers: []).allContainers.map(\.path) == [])
    }
}
