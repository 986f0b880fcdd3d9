/// SplitMix64: a tiny, fixed algorithm, so a seed yields the same documents on every toolchain
/// (the standard library's own random helpers may change between releases).
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    public mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    public mutating func pick<Element>(_ items: [Element]) -> Element {
        items[int(0...items.count - 1)]
    }

    public mutating func pickIfAny<Element>(_ items: [Element]) -> Element? {
        items.isEmpty ? nil : pick(items)
    }
}
