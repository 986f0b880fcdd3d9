import Testing
@testable import Documents

@Suite("YAML errors")
struct YAMLErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var yaml: String
        var line: Int
        var column: Int
        var message: String

        init(_ yaml: String, _ line: Int, _ column: Int, _ message: String) {
            self.yaml = yaml
            self.line = line
            self.column = column
            self.message = message
        }

        var testDescription: String { String(reflecting: yaml) }
    }

    static let cases: [Case] = [
        // Indentation and structure.
        Case("a:\n\tb: 1", 2, 1, "found a tab character where indentation is expected"),
        Case("a:\n  b: 1\n  \tc: 2", 3, 3, "found a tab character where indentation is expected"),
        Case("a: b: c", 1, 5, "mapping values are not allowed here"),
        Case("key: value\n  bad: indent", 2, 6, "mapping values are not allowed here"),
        Case("a: 1\nb\nc: 2", 2, 1, "could not find expected ':' after this mapping key"),
        Case("a: - b", 1, 4, "sequence entries are not allowed here"),
        Case("- a\nb: 1", 2, 1, "expected a '- ' sequence entry or less indentation, but found a mapping key"),
        Case("a:\n  - b\n  c: d", 3, 3, "expected a '- ' sequence entry or less indentation, but found a mapping key"),
        Case("a:\n  b: 1\n c: 2", 3, 2, "expected a mapping key or less indentation, but found the start of a block mapping"),
        Case("a: 'x' y", 1, 8, "expected a mapping key or less indentation, but found a scalar"),
        Case(": x", 1, 1, "expected a mapping key or less indentation, but found ':'"),
        Case("[1]\n[2]", 2, 1, "expected a document start ('---'), but found '['"),
        Case("--- a: 1", 1, 6, "mapping values are not allowed here"),
        // Flow collections.
        Case("a: [1, 2", 1, 9, "expected ',' or ']' in the flow sequence that starts at 1:4, but found the end of the stream"),
        Case("a: {b: 1", 1, 9, "expected ',' or '}' in the flow mapping that starts at 1:4, but found the end of the stream"),
        Case("k: [a, b\nc: d", 2, 2, "expected ',' or ']' in the flow sequence that starts at 1:4, but found ':'"),
        Case("]", 1, 1, "found ']' without a matching opening bracket"),
        Case("{a: 1}}", 1, 7, "found '}' without a matching opening bracket"),
        // Scalars.
        Case("a: \"abc", 1, 4, "found the end of the stream inside a double-quoted scalar; it needs a closing \""),
        Case("a: 'abc", 1, 4, "found the end of the stream inside a single-quoted scalar; it needs a closing '"),
        Case("a: \"x\\qy\"", 1, 7, "found unknown escape character 'q'"),
        Case("a: \"\\x4G\"", 1, 8, "expected an escape sequence of 2 hexadecimal digits, but found 'G'"),
        Case("a: \"\\uD800\"", 1, 5, "escape sequence is not a valid Unicode character"),
        Case("a: \"x\n---\ny\"", 2, 1, "found a document marker inside a quoted scalar"),
        Case("a: |0\n x", 1, 5, "expected an indentation indicator from 1 to 9, but found 0"),
        Case("a: | x", 1, 6, "expected a comment or a line break, but found 'x'"),
        Case("a: |+-\n x", 1, 6, "expected chomping or indentation indicators, but found '-'"),
        Case("a: \u{7}", 1, 4, "found non-printable character U+0007"),
        Case("é: \u{80}", 1, 4, "found non-printable character U+0080"),
        Case("@foo", 1, 1, "found '@' that cannot start any token"),
        // Anchors, aliases and merge keys.
        Case("a: *x", 1, 4, "found undefined alias 'x'"),
        Case("a: &x [*x]", 1, 8, "alias 'x' refers to a node that contains it; recursive structures are not supported"),
        Case("a: &", 1, 5, "expected a letter, digit, '-' or '_' in the anchor name, but found the end of the stream"),
        Case("<<: 1", 1, 5, "a merge key ('<<') needs a mapping or a list of mappings, but found a scalar"),
        Case("<<: [{a: 1}, 2]", 1, 14, "a merge key ('<<') list may only hold mappings, but found a scalar"),
        // Keys.
        Case("? [a]\n: b", 1, 3, "complex mapping keys are not supported: a key must be a scalar, but found a sequence"),
        Case("{[a]: b}", 1, 2, "complex mapping keys are not supported: a key must be a scalar, but found a sequence"),
        Case("? {a: 1}\n: b", 1, 3, "complex mapping keys are not supported: a key must be a scalar, but found a mapping"),
        // Directives and tags.
        Case("%YAML 2.0\n---\na", 1, 1, "found an incompatible YAML document (version 1.x is required)"),
        Case("%YAML 1.1\n%YAML 1.1\n---\n", 2, 1, "found a second %YAML directive"),
        Case("%TAG !a! x:\n%TAG !a! y:\n---\n", 2, 1, "found a second %TAG directive for the handle '!a!'"),
        Case("%YAML 1.1 extra", 1, 11, "expected a comment or a line break after the directive, but found 'e'"),
        Case("!e!x a", 1, 1, "found undefined tag handle '!e!'"),
        Case("a: !<x", 1, 7, "expected '>' to close the verbatim tag, but found the end of the stream"),
        Case("a: !!str%zz x", 1, 10, "expected two hexadecimal digits after '%' in the tag, but found 'z'"),
        Case("a: !!int abc", 1, 4, "'abc' is not a valid value for the tag !!int"),
        Case("a: !!bool maybe", 1, 4, "'maybe' is not a valid value for the tag !!bool"),
        Case("a: !!float x1", 1, 4, "'x1' is not a valid value for the tag !!float"),
        Case("a: !!str [1]", 1, 4, "the tag !!str does not fit a sequence"),
        Case("a: !!seq {b: 1}", 1, 4, "the tag !!seq does not fit a mapping"),
        Case("a: !!map x", 1, 4, "the tag !!map needs a mapping, but found a scalar"),
    ]

    @Test(arguments: cases)
    func reportsPosition(of testCase: Case) throws {
        let error = try #require(parseError(testCase.yaml))
        #expect(error.message == testCase.message)
        #expect(error.line == testCase.line)
        #expect(error.column == testCase.column)
        #expect(error.mark == YAMLMark(line: testCase.line, column: testCase.column))
    }

    @Test func descriptionNamesFileLineAndColumn() throws {
        let error = try #require(parseError("clusters:\n- name: a\n\tserver: x", file: "kubeconfig.yaml"))
        #expect(error.file == "kubeconfig.yaml")
        #expect(error.description == "kubeconfig.yaml:3:1: found a tab character where indentation is expected")
        #expect(try #require(parseError("a: *x")).description == "1:4: found undefined alias 'x'")
    }

    @Test func tabsAreFineOnBlankAndCommentLines() throws {
        #expect(try json("a: 1\n\t\n\t# comment\nb: 2") == #"{"a":1,"b":2}"#)
        #expect(try json("a: [1,\n\t2]") == #"{"a":[1,2]}"#)
    }

    @Test func deepNestingIsRejectedInsteadOfOverflowingTheStack() throws {
        let depth = YAMLParser.maximumDepth
        let accepted = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try YAML.parseDocuments(accepted).count == 1)
        let error = try #require(parseError(String(repeating: "[", count: 100_000)))
        #expect(error.message == "the document nests collections more than \(depth) levels deep")
        #expect(error.mark == YAMLMark(line: 1, column: depth + 1))
        let blockError = try #require(parseError(String(repeating: "- ", count: depth + 1) + "x"))
        #expect(blockError.message == error.message)
    }

    @Test func aliasExpansionIsBounded() throws {
        // "Billion laughs": every level repeats the previous one ten times.
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...7 {
            let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(previous)]")
        }
        let error = try #require(parseError(lines.joined(separator: "\n")))
        #expect(error.message == "aliases expand this document to more than \(YAMLParser.maximumAliasExpansion) nodes")
        #expect(error.line == 6)
    }

    /// Issue 11 defect 8: the node cap let a few aliases of one large scalar expand to gigabytes.
    @Test func aliasExpansionIsBoundedInBytes() throws {
        let big = String(repeating: "x", count: 1 << 20)
        let aliases = (0..<40).map { "k\($0): *big" }.joined(separator: "\n")
        let error = try #require(parseError("big: &big \(big)\n" + aliases))
        #expect(error.message == "aliases expand this document by more than \(YAMLParser.maximumAliasBytes >> 20) MiB")
        #expect(error.line == 33)
        // Ordinary reuse is untouched.
        #expect(try YAML.parseDocuments("base: &b {image: nginx, port: 80}\na: *b\nb: *b\n").count == 1)
    }

    /// Issue 11 defect 12: each tab re-scanned its whole line both ways, so a line of n tabs took n² steps.
    @Test func longRunsOfTabsAreLinear() throws {
        let tabs = String(repeating: "\t", count: 1 << 20)
        let started = ContinuousClock.now
        #expect(try YAML.parseDocuments("key:" + tabs + "value\nnext: 1" + tabs + "# comment\n").count == 1)
        #expect(parseError("a:\n" + tabs + "b: 1\n") != nil)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func nonFiniteNumbersCannotBecomeJSON() throws {
        let root = try node("values:\n  - 1.5\n  - .nan\n  - -.inf")
        guard case .array(let values)? = root.resolved().object?["values"] else {
            Issue.record("values is not an array")
            return
        }
        #expect(values.count == 3)
        #expect(values.last == .double(-.infinity))
        do {
            _ = try root.jsonData()
            Issue.record("expected jsonData() to throw")
        } catch {
            #expect(error.message == "'.nan' is not a finite number, which JSON cannot represent")
            #expect(error.mark == YAMLMark(line: 3, column: 5))
        }
    }
}
