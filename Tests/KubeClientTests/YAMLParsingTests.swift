import Testing
@testable import Documents

@Suite("YAML collections")
struct YAMLCollectionTests {
    @Test func blockMappingsAndSequencesNest() throws {
        let text = """
            metadata:
              name: web
              labels:
                app: web
            spec:
              containers:
                - name: nginx
                  ports:
                    - containerPort: 80
                - name: sidecar
            """
        #expect(try json(text) == #"{"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","ports":[{"containerPort":80}]},{"name":"sidecar"}]}}"#)
    }

    @Test func indentlessSequenceUnderMappingKey() throws {
        #expect(try json("args:\n- a\n- b\nenv: x") == #"{"args":["a","b"],"env":"x"}"#)
    }

    @Test func compactNestedSequences() throws {
        #expect(try json("- - a\n  - b\n- - c") == #"[["a","b"],["c"]]"#)
    }

    @Test func emptyEntriesAreNull() throws {
        #expect(try json("a:\nb: # nothing\nc:\n  -\n  - x") == #"{"a":null,"b":null,"c":[null,"x"]}"#)
    }

    @Test func flowCollections() throws {
        #expect(try json("[a, [b, c], {d: e}, [], {}]") == #"["a",["b","c"],{"d":"e"},[],{}]"#)
        #expect(try json("{a: 1, b: [2, 3], c: {d: 4}}") == #"{"a":1,"b":[2,3],"c":{"d":4}}"#)
    }

    @Test func flowCollectionsAcceptTrailingCommasAndSpanLines() throws {
        #expect(try json("[a, b, ]") == #"["a","b"]"#)
        #expect(try json("key: {\n  a: 1,\n  b: [x,\n    y],\n}") == #"{"key":{"a":1,"b":["x","y"]}}"#)
    }

    @Test func flowInsideBlock() throws {
        #expect(try json("users:\n- {name: a, args: [x, 'y']}\n- name: b") == #"{"users":[{"name":"a","args":["x","y"]},{"name":"b"}]}"#)
    }

    @Test func flowMappingEntriesWithoutValuesAreNull() throws {
        #expect(try json("{a, b: 1}") == #"{"a":null,"b":1}"#)
    }

    @Test func singlePairMappingsInsideFlowSequences() throws {
        #expect(try json("[a: 1, b, ? c : 2]") == #"[{"a":1},"b",{"c":2}]"#)
    }

    @Test func explicitKeysWithScalarKeys() throws {
        #expect(try json("? a\n: 1\n? |\n  block key\n: 2") == #"{"a":1,"block key\n":2}"#)
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let text = "a: 1\nb: 2\na: 3"
        #expect(try json(text) == #"{"a":3,"b":2}"#)
        #expect(try node(text)["a"]?.string == "3")
        #expect(try node(text).pairs?.count == 3)
    }

    @Test func pureJSONIsYAML() throws {
        let text = #"{"kind":"Config","n":[1,-2,1.5,true,false,null],"s":"caf\u00e9 \ud83d\ude80 \"q\" \\ \/"}"#
        #expect(try json(text) == #"{"kind":"Config","n":[1,-2,1.5,true,false,null],"s":"café 🚀 \"q\" \\ /"}"#)
    }
}

@Suite("YAML scalars")
struct YAMLScalarTests {
    @Test func plainScalarsFoldAcrossLines() throws {
        #expect(try json("hint: Install the plugin by following\n  https://example.com/docs\n\n  then retry") ==
                #"{"hint":"Install the plugin by following https://example.com/docs\nthen retry"}"#)
    }

    @Test func plainScalarsKeepIndicatorsThatDoNotEndThem() throws {
        #expect(try json("- a:b\n- x#y\n- http://h:80/p?q=1\n- -x\n- ?x\n- :x\n- a - b") ==
                #"["a:b","x#y","http://h:80/p?q=1","-x","?x",":x","a - b"]"#)
    }

    @Test func tabsInsidePlainScalarsAndAfterIndicators() throws {
        #expect(try json("a:\tb\tc\t# comment\nd: e") == #"{"a":"b\tc","d":"e"}"#)
    }

    @Test func singleQuotedScalars() throws {
        #expect(try json("- 'it''s'\n- 'a \"b\" \\n'\n- 'x\n  y\n\n  z'\n- ''") == #"["it's","a \"b\" \\n","x y\nz",""]"#)
    }

    @Test func doubleQuotedEscapes() throws {
        // The last escape is a backslash followed by a real tab.
        let text = #"x: "\n\t\"\\\/\x41\u00e9\U0001F600\0\a\b\e\f\r\v\ \N\_\L\P\"# + "\t\""
        let expected = "\n\t\"\\/Aé😀\u{0}\u{7}\u{8}\u{1B}\u{C}\r\u{B} \u{85}\u{A0}\u{2028}\u{2029}\t"
        #expect(try node(text)["x"]?.string == expected)
    }

    @Test func doubleQuotedLineFolding() throws {
        #expect(try node("x: \"a  \n   b\n\n  c \\\n   d\"")["x"]?.string == "a b\nc d")
    }

    @Test func surrogatePairEscapesCombineAsInJSON() throws {
        #expect(try node(#"x: "\ud83d\ude80""#)["x"]?.string == "🚀")
    }

    @Test func commentsEverywhere() throws {
        let text = """
            # leading
            a: 1 # trailing
            # between
            b: # before a nested block
              - x # in a sequence
              # indented
            c: [1, # inside flow
              2]
            d: "#not a comment" # but this is
            # final
            """
        #expect(try json(text) == ##"{"a":1,"b":["x"],"c":[1,2],"d":"#not a comment"}"##)
    }

    @Test func scalarStylesAreReported() throws {
        let root = try node("p: x\ns: 'x'\nd: \"x\"\nl: |\n  x\nf: >\n  x\n")
        let styles = root.pairs?.map { pair -> YAMLNode.ScalarStyle? in
            if case .scalar(_, let style) = pair.value.content { return style }
            return nil
        }
        #expect(styles == [.plain, .singleQuoted, .doubleQuoted, .literal, .folded])
    }

    @Test func nodeMarksAreOneBased() throws {
        let root = try node("a:\n  - x\n  - &y [1, é: 2]\nb: !!str z")
        #expect(root.mark == YAMLMark(line: 1, column: 1))
        #expect(root["a"]?.sequence?[0].mark == YAMLMark(line: 2, column: 5))
        // The anchor is part of the node, and columns count characters: "é" is two bytes.
        #expect(root["a"]?.sequence?[1].mark == YAMLMark(line: 3, column: 5))
        #expect(root["a"]?.sequence?[1].sequence?[1].pairs?[0].value.mark == YAMLMark(line: 3, column: 15))
        #expect(root["b"]?.mark == YAMLMark(line: 4, column: 4))
    }

    @Test func crlfLineBreaksAndByteOrderMark() throws {
        let root = try node("\u{FEFF}a: 1\r\nb: |\r\n  x\r\n  y\r\n")
        #expect(root["a"]?.string == "1")
        #expect(root["b"]?.string == "x\ny\n")
        #expect(root["b"]?.mark == YAMLMark(line: 2, column: 4))
    }
}

@Suite("YAML block scalars")
struct YAMLBlockScalarTests {
    @Test func literalKeepsLineBreaks() throws {
        #expect(try node("x: |\n  a\n   b\n\n  c\n")["x"]?.string == "a\n b\n\nc\n")
    }

    @Test func foldedJoinsLinesExceptMoreIndentedAndEmptyOnes() throws {
        #expect(try node("x: >\n  a\n  b\n\n  c\n    d\n  e\n")["x"]?.string == "a b\nc\n  d\ne\n")
    }

    @Test(arguments: [
        ("|", "a\n"), ("|-", "a"), ("|+", "a\n\n\n"),
        (">", "a\n"), (">-", "a"), (">+", "a\n\n\n"),
    ])
    func chompingIndicators(header: String, expected: String) throws {
        #expect(try node("x: \(header)\n  a\n\n\ny: 1")["x"]?.string == expected)
    }

    @Test func explicitIndentationIndicatorKeepsLeadingSpaces() throws {
        #expect(try node("x: |2\n    indented\n  base\n")["x"]?.string == "  indented\nbase\n")
        #expect(try node("x: >-1\n  a\n b\n")["x"]?.string == " a\nb")
        #expect(try node("- |1-\n  a\n").sequence?.first?.string == " a")
    }

    @Test func indicatorsInEitherOrderAndCommentAfterHeader() throws {
        #expect(try node("x: |-2 # comment\n   a\n")["x"]?.string == " a")
        #expect(try node("x: |2-\n   a\n")["x"]?.string == " a")
    }

    @Test func hashesInsideBlockScalarsAreContent() throws {
        #expect(try node("x: |\n  # not a comment\n  a: b\n# a comment\ny: 1")["x"]?.string == "# not a comment\na: b\n")
    }

    @Test func emptyBlockScalar() throws {
        #expect(try node("x: |\ny: 1")["x"]?.string == "")
        #expect(try node("x: >+\n\n")["x"]?.string == "\n")
    }

    @Test func blockScalarAsRootDocument() throws {
        #expect(try YAML.parseDocuments("--- |\n  text\n--- >-\n  folded\n  text").map(\.string) == ["text\n", "folded text"])
    }
}

@Suite("YAML documents and directives")
struct YAMLDocumentTests {
    @Test func emptyStreamsHaveNoDocuments() throws {
        #expect(try YAML.parseDocuments("").isEmpty)
        #expect(try YAML.parseDocuments("# only a comment\n\n").isEmpty)
    }

    @Test func multipleDocuments() throws {
        let text = "a: 1\n---\nb: 2\n...\n---\n- c\n--- scalar\n---\n"
        #expect(try jsonDocuments(text) == [#"{"a":1}"#, #"{"b":2}"#, #"["c"]"#, #""scalar""#, "null"])
    }

    @Test func directivesAreAcceptedAndApplyToTheirDocument() throws {
        let text = """
            %YAML 1.1
            %TAG !k8s! tag:yaml.org,2002:
            %FUTURE reserved directive
            ---
            a: !k8s!str 1
            ...
            %YAML 1.2
            ---
            b: !!int "2"
            """
        #expect(try jsonDocuments(text) == [#"{"a":"1"}"#, #"{"b":2}"#])
    }

    @Test func tagsAreExpanded() throws {
        let root = try node("%TAG !e! tag:example.com,2000:app/\n---\n- !!str a\n- !local b\n- !e!foo%21 c\n- !<tag:x.org,1:y> d\n- ! e")
        #expect(root.sequence?.map(\.tag) == ["tag:yaml.org,2002:str", "!local", "tag:example.com,2000:app/foo!",
                                             "tag:x.org,1:y", "!"])
    }

    @Test func explicitCoreTagsChangeTheType() throws {
        #expect(try json("[!!str 12, !!str yes, !!int '0x1F', !!float '2', !!bool 'off', !!null x, ! 12, !!str, !local 7]") ==
                #"["12","yes",31,2.0,false,null,"12","","7"]"#)
        #expect(try json("a: !!map {b: 1}\nc: !!seq [1]") == #"{"a":{"b":1},"c":[1]}"#)
    }

    @Test func tagsBeforeFlowIndicators() throws {
        #expect(try json("{a: !!null, b: [!!str]}") == #"{"a":null,"b":[""]}"#)
    }
}

@Suite("YAML anchors, aliases and merge keys")
struct YAMLAnchorTests {
    @Test func aliasesCopyTheAnchoredNode() throws {
        #expect(try json("a: &x {k: v}\nb: *x\nc: &s text\nd: [*s, *x]") ==
                #"{"a":{"k":"v"},"b":{"k":"v"},"c":"text","d":["text",{"k":"v"}]}"#)
    }

    @Test func anchorsCanBeRedefined() throws {
        #expect(try json("a: &x 1\nb: *x\nc: &x 2\nd: *x") == #"{"a":1,"b":1,"c":2,"d":2}"#)
        // The most recent definition wins, even when it is nested inside the first one.
        #expect(try json("- &x [&x inner, *x]\n- *x") == #"[["inner","inner"],"inner"]"#)
    }

    @Test func anchorsDoNotCrossDocuments() {
        #expect(parseError("a: &x 1\n---\nb: *x")?.message == "found undefined alias 'x'")
    }

    @Test func mergeKeyBringsPairsInWithOwnPairsWinning() throws {
        let text = """
            base: &base {a: 1, b: 2}
            other: &other {b: 3, c: 4}
            one:
              <<: *base
              b: own
            many:
              <<: [*base, *other]
              d: 5
            """
        #expect(try json(text) == #"{"base":{"a":1,"b":2},"other":{"b":3,"c":4},"one":{"a":1,"b":"own"},"many":{"b":2,"c":4,"a":1,"d":5}}"#)
        #expect(try node(text)["one"]?["b"]?.string == "own")
        #expect(try node(text)["many"]?["b"]?.string == "2")
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        #expect(try json("a: &a {x: 1}\nb: {'<<': *a}") == #"{"a":{"x":1},"b":{"<<":{"x":1}}}"#)
    }
}
