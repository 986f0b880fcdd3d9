import Foundation
import Testing

/// A helper that two control families use lives in Sources/Audit/Context/, not in one family's file: this
/// reads the sources of Sources/Audit/Controls/ and fails, with the names, when a family's file uses a
/// declaration of another family's files, or when a file of Audit/Context or of the Admission module (which
/// serve every family) uses one of a family's.
@Suite struct FamilyBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test func noFamilyUsesAnotherFamilysHelpers() throws {
        let files = try FamilySource.read(Self.sources.appendingPathComponent("Audit/Controls"))
        #expect(Set(files.map(\.family)).count >= 8, "every family file read: \(files.map(\.name))")
        let violations = FamilySource.crossFamilyReferences(in: files, declaredElsewhere: try FamilySource.memberNames(under: Self.sources, except: files))
        #expect(violations.isEmpty, "move these to Sources/Audit/Context/:\n\(violations.joined(separator: "\n"))")
    }

    @Test func sharedCodeUsesNoFamilysHelpers() throws {
        let families = try FamilySource.read(Self.sources.appendingPathComponent("Audit/Controls"))
        let shared = try FamilySource.read(Self.sources.appendingPathComponent("Audit/Context"), family: "Audit/Context")
            + FamilySource.read(Self.sources.appendingPathComponent("Admission"), family: "Admission")
        #expect(shared.count >= 20, "every Context and Admission file read: \(shared.map(\.name))")
        let violations = FamilySource.references(
            from: shared, to: families, declaredElsewhere: try FamilySource.memberNames(under: Self.sources, except: families))
        #expect(violations.isEmpty, "move these to Sources/Audit/Context/:\n\(violations.joined(separator: "\n"))")
    }

    /// A family's file declaring a member, a top-level type and an extension member.
    static let familyA = FamilySource(name: "AControls.swift", text: """
        enum AControls {
            static let kinds = [1]
            static let all = [kinds]
        }
        struct Shared {}
        extension Int {
            func doubled() -> Int { self * 2 }
            var count: Int { self }
        }
        """)

    /// The scan itself: a qualified use of another family's member, a use of a type and a member use of an
    /// extension member declared in another family's file are caught; a family's own names, names both
    /// declare, members whose name is declared elsewhere too, and text in strings and comments are not.
    @Test func theScanSeesQualifiedAndUnqualifiedUsesOnly() {
        let a = Self.familyA
        let b = FamilySource(name: "BControls+Part.swift", text: """
            enum BControls {
                static let all = [AControls.kinds]
                static func run() -> Int {
                    let shared = Shared() // Shared in a comment
                    return 2.doubled() + 3.count + "\\(AControls.all)".count + "AControls.kinds Shared".count
                }
            }
            """)
        #expect(b.family == "B")
        #expect(FamilySource.crossFamilyReferences(in: [a, b], declaredElsewhere: ["count"]) == [
            "BControls+Part.swift uses AControls.all (from AControls.swift)",
            "BControls+Part.swift uses AControls.kinds (from AControls.swift)",
            "BControls+Part.swift uses Shared (from AControls.swift)",
            "BControls+Part.swift uses doubled (from AControls.swift)",
        ])
    }

    /// Shared code is held to the same rule: its use of a family's member, type or extension member is
    /// caught; a name it declares itself (here `count`) is its own, and a family's use of shared code is fine.
    @Test func theScanSeesSharedCodeReachingIntoAFamily() {
        let shared = FamilySource(name: "Helpers.swift", family: "Audit/Context", text: """
            struct Helper {
                static let kinds = AControls.kinds
                let shared = Shared()
                var four: Int { 2.doubled() + 3.count }
            }
            extension Int {
                var count: Int { self }
            }
            """)
        let family = FamilySource(name: "BControls.swift", text: "enum BControls { static let helper = Helper() }")
        #expect(shared.family == "Audit/Context")
        #expect(FamilySource.references(from: [shared, family], to: [Self.familyA], declaredElsewhere: []) == [
            "Helpers.swift uses AControls.kinds (from AControls.swift)",
            "Helpers.swift uses Shared (from AControls.swift)",
            "Helpers.swift uses doubled (from AControls.swift)",
        ])
    }
}

/// One Swift file: its family (for a file of Sources/Audit/Controls the name before `Controls`; for shared
/// code the folder), its code without comments and string text (interpolations kept), and what it declares
/// for other files to use.
struct FamilySource {
    var name: String
    var family: String
    var code: String

    init(name: String, family: String? = nil, text: String) {
        self.name = name
        self.family = family ?? name.components(separatedBy: "Controls").first ?? name
        self.code = Self.strippingCommentsAndStrings(text)
    }

    static func read(_ folder: URL, family: String? = nil) throws -> [FamilySource] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.sorted().map {
            FamilySource(name: $0, family: family, text: try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// Members of the family's own enum (`static let kinds` in `enum RBACControls` or its extensions),
    /// reachable from elsewhere only as `RBACControls.kinds`.
    var familyMembers: Set<String> {
        Set(declarations(matching: #"(?m)^    (?:(?:package|public|private|fileprivate|internal|@Sendable)\s+)*static\s+(?:let|var|func)\s+(\w+)"#))
    }

    /// Top-level types, functions and constants, which other files reach by their bare name.
    var topLevelDeclarations: Set<String> {
        var names = Set(declarations(matching: #"(?m)^(?:(?:package|public|private|fileprivate|internal)\s+)*(?:struct|enum|class|protocol|typealias|func|let|var)\s+(\w+)"#))
        names.remove("\(family)Controls")
        return names
    }

    /// Members of extensions of other types (`extension PolicyRule { func permits }`), reached as `.name`.
    var extensionMembers: Set<String> {
        Set(foreignExtensionBodies.flatMap {
            Self.matches(#"(?m)^    (?:(?:package|public|private|fileprivate|internal|static|mutating)\s+)*(?:func|var|let|struct|enum)\s+(\w+)"#, in: $0)
        })
    }

    /// Every name declared as a member (`func`, `var`, `let`, `case`) in the Swift files under `folder`
    /// other than `files`: an extension member sharing one of them cannot be told apart by its text.
    static func memberNames(under folder: URL, except files: [FamilySource]) throws -> Set<String> {
        let skipped = Set(files.map(\.name))
        var names = Set<String>()
        for path in FileManager.default.subpaths(atPath: folder.path) ?? [] where path.hasSuffix(".swift") {
            let url = folder.appendingPathComponent(path)
            guard !(url.deletingLastPathComponent().lastPathComponent == "Controls" && skipped.contains(url.lastPathComponent)) else { continue }
            let code = strippingCommentsAndStrings(try String(contentsOf: url, encoding: .utf8))
            names.formUnion(matches(#"(?:func|var|let|case)\s+(\w+)"#, in: code))
        }
        return names
    }

    /// The bodies of `extension X` blocks whose X is not the family's enum.
    private var foreignExtensionBodies: [String] {
        let lines = code.components(separatedBy: "\n")
        var bodies: [String] = []
        var current: [String]?
        for line in lines {
            if line.hasPrefix("extension ") {
                current = line.hasPrefix("extension \(family)Controls") ? nil : []
            } else if line.hasPrefix("}") {
                if let body = current { bodies.append(body.joined(separator: "\n")) }
                current = nil
            } else {
                current?.append(line)
            }
        }
        return bodies
    }

    private func declarations(matching pattern: String) -> [String] { Self.matches(pattern, in: code) }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Every use, in one family's file, of a declaration of another family's file: `file uses Name (from file)`.
    static func crossFamilyReferences(in files: [FamilySource], declaredElsewhere: Set<String>) -> [String] {
        references(from: files, to: files, declaredElsewhere: declaredElsewhere)
    }

    /// Every use, in a file of `users`, of a declaration of a file of `families` of another family.
    static func references(from users: [FamilySource], to families: [FamilySource], declaredElsewhere: Set<String>) -> [String] {
        var violations = Set<String>()
        for file in users {
            let identifiers = Set(matches(#"(?<![\w.])(\w+)"#, in: file.code))
            for other in families where other.family != file.family {
                for member in other.familyMembers.sorted() {
                    let qualified = "\(other.family)Controls.\(member)"
                    if matches(#"(?<![\w.])("# + NSRegularExpression.escapedPattern(for: qualified) + #")(?!\w)"#, in: file.code).count > 0 {
                        violations.insert("\(file.name) uses \(qualified) (from \(other.name))")
                    }
                }
                let family = users.filter { $0.family == file.family }
                let ownNames = family.reduce(into: Set<String>()) { $0.formUnion($1.topLevelDeclarations.union($1.extensionMembers)) }
                let types = other.topLevelDeclarations.subtracting(ownNames).intersection(identifiers)
                let members = other.extensionMembers.subtracting(ownNames).subtracting(declaredElsewhere).filter { name in
                    matches(#"\.("# + name + #")(?!\w)"#, in: file.code).count > 0
                }
                for name in types.union(members) { violations.insert("\(file.name) uses \(name) (from \(other.name))") }
            }
        }
        return violations.sorted()
    }

    /// The code with comments removed and string literals emptied, keeping the code of `\( … )` in them.
    static func strippingCommentsAndStrings(_ text: String) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        // Each open string literal: whether it is `"""`, and the parenthesis depth of the interpolation
        // the code is in (nil while in the string's own text).
        var strings: [(multiline: Bool, depth: Int?)] = []
        func at(_ literal: String) -> Bool {
            let chars = Array(literal)
            return index + chars.count <= characters.count && Array(characters[index..<index + chars.count]) == chars
        }
        while index < characters.count {
            let character = characters[index]
            if let top = strings.last, top.depth == nil {
                if character == "\\" && index + 1 < characters.count && characters[index + 1] == "(" {
                    strings[strings.count - 1].depth = 0
                    output += " "
                    index += 2
                } else if character == "\\" {
                    index += 2
                } else if top.multiline ? at("\"\"\"") : character == "\"" {
                    strings.removeLast()
                    output += "\""
                    index += top.multiline ? 3 : 1
                } else {
                    if character == "\n" { output.append("\n") }
                    index += 1
                }
                continue
            }
            if at("//") {
                while index < characters.count && characters[index] != "\n" { index += 1 }
            } else if at("/*") {
                while index < characters.count && !at("*/") { index += 1 }
                index += 2
            } else if at("\"\"\"") {
                strings.append((true, nil))
                output += "\""
                index += 3
            } else if character == "\"" {
                strings.append((false, nil))
                output += "\""
                index += 1
            } else {
                if !strings.isEmpty, let depth = strings[strings.count - 1].depth {
                    if character == "(" { strings[strings.count - 1].depth = depth + 1 }
                    if character == ")" {
                        if depth == 0 {
                            strings[strings.count - 1].depth = nil
                            output += " "
                            index += 1
                            continue
                        }
                        strings[strings.count - 1].depth = depth - 1
                    }
                }
                output.append(character)
                index += 1
            }
        }
        return output
    }
}
