import Documents
import Foundation
import FuzzSupport
import Inventory
import Testing

@testable import LookoutCLI

/// The seeded mutation fuzzer of every input Lookout reads (issue 11): the YAML reader, the kubeconfig,
/// exceptions and controls-config loaders, `--from` files (manifests, `kubectl get` dumps, saved
/// snapshots) and folders, and every kind's model decoded from a LIST page, with what loads audited
/// by every control. The oracle is FuzzTargets': no trap, no hang, errors that name the file and line.
/// Every unit-test run (and so `make test`) spends a short budget; `make fuzz` a long one
/// (LOOKOUT_FUZZ_ITERATIONS, LOOKOUT_FUZZ_SEED). Each target prints its seed first, so a trap is
/// reproduced by running that seed again; the input then goes into `regressions`.
@Suite(.serialized) struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    /// The YAML reader's share; the slower targets (files written, every control run) take a fraction.
    static let iterations = Int(environment["LOOKOUT_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let seed = UInt64(environment["LOOKOUT_FUZZ_SEED"] ?? "") ?? 0x10_0C_00_C0

    /// Inputs that once trapped or ran away (issue 11), kept so they never do again.
    static let regressions = [
        "a:" + String(repeating: "\t", count: 5000) + "b\n",
        "big: &big " + String(repeating: "x", count: 4096) + "\n" + (0..<64).map { "k\($0): *big" }.joined(separator: "\n"),
        "apiVersion: \"/\"\nkind: Pod\n",
        "x: &a [*a]\n",
        "- &a\n- *a\n- [*a, *a, {<<: *a}]\n",
        #"{"apiVersion": "aquasecurity.github.io/v1alpha1", "kind": "VulnerabilityReport", "metadata": {"name": "a", "namespace": "b"}, "report": {"summary": {"criticalCount": 9223372036854775807}}}"#,
    ]

    let scratch: String

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-fuzz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// Mutates `seeds` `count` times through `exercise`, recording every input that breaks the oracle.
    /// The seeds themselves must be accepted, and a long run must see both verdicts: a target that
    /// rejects (or accepts) everything tests nothing.
    func fuzz(
        _ name: String, seeds: [String], seedsLoad: Bool = true, count: Int, mutate: (([UInt8], inout SeededRandom) -> [UInt8])? = nil,
        exercise: ([UInt8]) -> FuzzOutcome
    ) throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let corpus = seeds.map { Array($0.utf8) }
        try #require(!corpus.isEmpty, "\(name): no seeds")
        for seed in corpus {
            let outcome = exercise(seed)
            #expect(outcome == .accepted || (!seedsLoad && outcome == .rejected), "\(name): a seed is not accepted: \(outcome)\n--- input ---\n\(String(decoding: seed, as: UTF8.self).prefix(2000))")
        }
        for regression in Self.regressions {
            if case .broken(let problem) = exercise(Array(regression.utf8)) { Issue.record("\(name): regression input: \(problem)") }
        }
        var random = SeededRandom(seed: Self.seed)
        print("FuzzTests \(name): seed \(Self.seed), \(count) inputs (LOOKOUT_FUZZ_SEED, LOOKOUT_FUZZ_ITERATIONS)")
        var tally = (accepted: 0, rejected: 0, broken: 0)
        for _ in 0..<count {
            let seed = random.pick(corpus)
            let input = mutate?(seed, &random) ?? ByteMutator.mutate(seed, splicingFrom: corpus, &random)
            switch exercise(input) {
            case .accepted: tally.accepted += 1
            case .rejected: tally.rejected += 1
            case .broken(let problem):
                tally.broken += 1
                if tally.broken <= 5 { Issue.record("\(name): \(problem)\n--- input ---\n\(String(decoding: input, as: UTF8.self).prefix(2000))") }
            }
        }
        print("FuzzTests \(name): \(tally.accepted) accepted, \(tally.rejected) rejected, \(tally.broken) broke the oracle")
        #expect(tally.broken == 0, "\(name): \(tally.broken) of \(count) inputs broke the oracle")
        if count >= 100 { #expect(tally.accepted > 0 && tally.rejected > 0, "\(name): one verdict only: \(tally)") }
    }

    @Test func yamlReader() throws {
        try fuzz("YAML reader", seeds: Corpus.kubeconfigs + Corpus.yamlSnippets + Corpus.manifests, count: Self.iterations, exercise: FuzzTargets.yaml)
    }

    @Test func kubeconfigLoader() throws {
        try #require(Corpus.kubeconfigs.count >= 10, "the kubeconfig fixtures are missing")
        // The fixtures are a YAML corpus first: odd-quoting.yaml quotes a boolean, which kubectl refuses too.
        try fuzz("kubeconfig", seeds: Corpus.kubeconfigs, seedsLoad: false, count: Self.iterations, exercise: FuzzTargets.kubeconfig)
    }

    @Test func exceptionsLoader() throws {
        try fuzz("exceptions", seeds: Corpus.exceptions, count: Self.iterations / 3, exercise: userFile("exceptions.yaml") { path throws(ConfigError) in
            _ = try InputFiles.exceptions(path: path)
        })
    }

    @Test func controlsConfigLoader() throws {
        try fuzz("controls config", seeds: Corpus.controlsConfigs, count: Self.iterations / 3, exercise: userFile("controls-config.yaml") { path throws(ConfigError) in
            _ = try InputFiles.controlsConfig(path: path)
        })
    }

    /// A loader of one of the user's files (`--exceptions`, `--controls-config`), given each input as `name`.
    func userFile(_ name: String, load: @escaping (String) throws(ConfigError) -> Void) -> ([UInt8]) -> FuzzOutcome {
        let file = scratch + "/" + name
        return { input in
            guard FileManager.default.createFile(atPath: file, contents: Data(input)) else { return .broken("cannot write \(file)") }
            do throws(ConfigError) {
                try load(file)
                return .accepted
            } catch {
                return FuzzTargets.rejection(error, of: [file])
            }
        }
    }

    @Test func manifestFiles() throws {
        try #require(Corpus.manifests.count >= 10)
        try fuzz("--from manifests", seeds: Corpus.manifests, count: Self.iterations / 10) { FuzzTargets.inputFile($0, in: scratch) }
    }

    @Test func kubectlDumps() throws {
        let mutator = JSONMutator(seeds: Corpus.objects)
        try fuzz("--from kubectl dumps", seeds: Corpus.dumps, count: Self.iterations / 30, mutate: structural(mutator, of: Corpus.dumps)) {
            FuzzTargets.inputFile($0, in: scratch)
        }
    }

    @Test func savedSnapshots() throws {
        let mutator = JSONMutator(seeds: Corpus.snapshots.map(Self.json))
        try fuzz("--from snapshot", seeds: Corpus.snapshots, count: Self.iterations / 30, mutate: structural(mutator, of: Corpus.snapshots)) {
            FuzzTargets.inputFile($0, in: scratch)
        }
    }

    @Test func folders() throws {
        let seeds = Corpus.manifests.map { Array($0.utf8) }
        try fuzz("--from folders", seeds: Corpus.manifests, count: Self.iterations / 30) { FuzzTargets.folder($0, seeds: seeds, in: scratch) }
    }

    /// Every kind's model from a hostile LIST page (structure-aware mutations, so the JSON parses and
    /// the values reach the decoders and the controls).
    @Test(arguments: ResourceKind.allCases)
    func objectDecoders(kind: ResourceKind) throws {
        let mutator = JSONMutator(seeds: Corpus.objects)
        let pages = Corpus.pages(of: kind).map(\.jsonText)
        try fuzz("\(kind.rawValue) decoder", seeds: pages, count: max(20, Self.iterations / 100), mutate: structural(mutator, of: pages)) {
            FuzzTargets.objects($0, kind: kind)
        }
    }

    /// The direct JSON decoder against JSONDecoder on any JSON: pages, snapshots, and their mutations.
    @Test func directDecoder() throws {
        let seeds = ResourceKind.allCases.flatMap { Corpus.pages(of: $0).map(\.jsonText) } + Corpus.snapshots
        let mutator = JSONMutator(seeds: Corpus.objects)
        try fuzz("direct JSON decoder", seeds: seeds, count: Self.iterations / 3, mutate: structural(mutator, of: seeds), exercise: FuzzTargets.json)
    }

    /// Mostly structural mutations of the seeds (parsed once), with a byte-level one now and then
    /// (truncation, stray punctuation).
    func structural(_ mutator: JSONMutator, of seeds: [String]) -> ([UInt8], inout SeededRandom) -> [UInt8] {
        let values = Dictionary(seeds.map { (Array($0.utf8), Self.json($0)) }, uniquingKeysWith: { first, _ in first })
        return { seed, random in
            guard !random.chance(0.2), let value = values[seed] else { return ByteMutator.mutate(seed, splicingFrom: [seed], &random) }
            return Array(mutator.mutate(value, &random).jsonText.utf8)
        }
    }

    static func json(_ text: String) -> YAMLValue {
        (try? YAML.parseDocuments(text).first?.resolved()) ?? .null
    }
}
