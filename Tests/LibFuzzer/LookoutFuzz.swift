import Foundation
import FuzzSupport
import Inventory

/// libFuzzer's entry point over FuzzTargets (`make fuzz-libfuzzer`): coverage-guided inputs for one
/// target, chosen by LOOKOUT_FUZZ_TARGET (yaml, kubeconfig, file, json, objects). A target's oracle failure
/// traps, which libFuzzer reports and saves as a crash input. Built without -DLOOKOUT_LIBFUZZER the same
/// binary replays the files it is given through the target, to reproduce a crash under a debugger.
enum LookoutFuzz {
    static let target = ProcessInfo.processInfo.environment["LOOKOUT_FUZZ_TARGET"] ?? "yaml"
    static let scratch: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-libfuzzer-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func run(_ bytes: [UInt8]) {
        let outcome: FuzzOutcome
        switch target {
        case "yaml": outcome = FuzzTargets.yaml(bytes)
        case "kubeconfig": outcome = FuzzTargets.kubeconfig(bytes)
        case "file": outcome = FuzzTargets.inputFile(bytes, in: scratch)
        case "json": outcome = FuzzTargets.json(bytes)
        case "objects":
            // The first byte picks the kind, the rest is its LIST page.
            guard let first = bytes.first else { return }
            outcome = FuzzTargets.objects(Array(bytes.dropFirst()), kind: ResourceKind.allCases[Int(first) % ResourceKind.allCases.count])
        default: fatalError("LOOKOUT_FUZZ_TARGET=\(target): expected yaml, kubeconfig, file, json or objects")
        }
        if case .broken(let problem) = outcome { fatalError("\(target): \(problem)") }
    }
}

#if LOOKOUT_LIBFUZZER
// SwiftPM links an executable's entry as `main` (--defsym main=lookout_fuzz_main), so libFuzzer's own
// main is never pulled in: this one hands control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    LookoutFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@main
enum Driver {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(runDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
#else
@main
enum Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            LookoutFuzz.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(LookoutFuzz.target): \(path): no trap, the oracle holds")
        }
    }
}
#endif
