import Foundation
import Testing

/// Every module of Sources/ imports only what Package.swift declares for it (issue 13): SwiftPM lets a
/// target import any module its dependencies pull in, so an undeclared import compiles today and breaks
/// the day the dependency it leans on changes. Full Foundation is refused too: it drags ICU into the binary.
@Suite struct ModuleBoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// What the toolchain and the system provide, which Package.swift does not declare.
    static let system: Set<String> = ["FoundationEssentials", "Dispatch", "Glibc", "Musl", "Darwin", "Synchronization"]

    struct Target {
        var name: String
        var dependencies: Set<String>
    }

    /// The `.target`, `.executableTarget` and `.systemLibrary` entries of Package.swift whose sources live
    /// in Sources/<name>, with their `dependencies:` lists.
    static func sourceTargets(in manifest: String) throws -> [Target] {
        let entry = try Regex(#"\.(?:target|executableTarget|systemLibrary)\(\s*name:\s*"([^"]+)"([^()]*(?:\([^()]*\)[^()]*)*)\)"#)
        let list = try Regex(#"dependencies:\s*\[([^\]]*)\]"#)
        let quoted = try Regex(#""([^"]+)""#)
        return manifest.matches(of: entry).compactMap { match in
            guard let name = match.output[1].substring.map(String.init), let rest = match.output[2].substring else { return nil }
            if rest.contains("path:") { return nil }
            let dependencies = rest.firstMatch(of: list)?.output[1].substring.map { items in
                Set(items.matches(of: quoted).compactMap { $0.output[1].substring.map(String.init) })
            }
            return Target(name: name, dependencies: dependencies ?? [])
        }
    }

    /// The modules a Swift file imports, whatever the attribute or access level in front.
    static func imports(of text: String) throws -> [String] {
        let line = try Regex(#"(?m)^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?(\w+)"#)
        return text.matches(of: line).compactMap { $0.output[1].substring.map(String.init) }
    }

    @Test func packageManifestIsReadAsDeclared() throws {
        let targets = try Self.sourceTargets(in: try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8))
        let byName = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0.dependencies) })
        // A parser that found nothing would let every import through.
        #expect(byName["Reports"]?.contains("Audit") == true)
        #expect(byName["LookoutCLI"]?.contains("Reports") == true)
        #expect(byName["lookout"] == ["LookoutCLI"])
        #expect(byName["Documents"] == [])
        #expect(byName["ConsumerSupport"] == nil, "test support outside Sources/ is not checked")
        #expect(try Self.imports(of: "import A\n@testable import B\npublic import C\n  import struct D.E\n// import F\nlet x = 1\n") == ["A", "B", "C", "D"])
    }

    @Test func sourcesImportOnlyDeclaredModules() throws {
        let targets = try Self.sourceTargets(in: try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8))
        try #require(targets.count >= 8)
        var checkedFiles = 0
        for target in targets {
            let folder = Self.root.appendingPathComponent("Sources/\(target.name)")
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { continue }
            for case let file as URL in walker where file.pathExtension == "swift" {
                checkedFiles += 1
                let text = try String(contentsOf: file, encoding: .utf8)
                for module in try Self.imports(of: text) where module != target.name {
                    #expect(
                        target.dependencies.contains(module) || Self.system.contains(module),
                        "Sources/\(target.name)/\(file.lastPathComponent) imports \(module), which Package.swift does not declare for \(target.name)")
                }
            }
        }
        #expect(checkedFiles > 100)
    }
}
