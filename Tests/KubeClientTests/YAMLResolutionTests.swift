import Foundation
import Testing
@testable import Documents

@Suite("YAML scalar resolution")
struct YAMLResolutionTests {
    /// Plain scalars and what PyYAML's SafeLoader makes of them.
    static let plainScalars: [(String, YAMLValue)] = [
        // Null.
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nUll", .string("nUll")),
        // YAML 1.1 booleans, in the three spellings PyYAML accepts.
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)), ("tRue", .string("tRue")),
        ("yes", .bool(true)), ("Yes", .bool(true)), ("on", .bool(true)), ("ON", .bool(true)),
        ("false", .bool(false)), ("no", .bool(false)), ("No", .bool(false)), ("off", .bool(false)),
        ("y", .string("y")), ("n", .string("n")),
        // Integers.
        ("0", .int(0)), ("42", .int(42)), ("-17", .int(-17)), ("+5", .int(5)), ("1_000", .int(1000)),
        ("0x1F", .int(31)), ("-0x1f", .int(-31)), ("0x_ff", .int(255)), ("0b1010", .int(10)), ("-0b1", .int(-1)),
        ("017", .int(15)), ("0_", .int(0)), ("0o17", .int(15)), ("1:20", .int(80)), ("-1:30:00", .int(-5400)),
        ("9223372036854775807", .int(Int.max)), ("-9223372036854775808", .int(Int.min)),
        ("08", .string("08")), ("0x", .string("0x")), ("0X1F", .string("0X1F")), ("1:60", .string("1:60")),
        ("0b_", .string("0b_")), ("12:30:xx", .string("12:30:xx")),
        // Too big for Int: the nearest double.
        ("18446744073709551616", .double(18446744073709551616)), ("0x1_0000_0000_0000_0000", .double(0x1p64)),
        // Floats need a dot, and an exponent needs a sign.
        ("3.14", .double(3.14)), ("-2.5e+3", .double(-2500)), ("1.", .double(1)), (".5", .double(0.5)),
        ("1_000.5_0", .double(1000.5)), ("6.02e+23", .double(6.02e+23)), ("1.e-2", .double(0.01)),
        ("190:20:30.15", .double(685230.15)), (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
        ("+.INF", .double(.infinity)),
        ("1e3", .string("1e3")), ("1.0e3", .string("1.0e3")), ("-.5", .string("-.5")), ("1.2.3", .string("1.2.3")),
        ("+.nan", .string("+.nan")), (".", .string(".")), ("._5", .string("._5")),
        // Everything else is text, timestamps included.
        ("2001-12-14", .string("2001-12-14")), ("2001-12-14t21:59:43.10-05:00", .string("2001-12-14t21:59:43.10-05:00")),
        ("v1.30.2", .string("v1.30.2")), ("100m", .string("100m")), ("=", .string("=")), ("<<", .string("<<")),
    ]

    @Test(arguments: plainScalars)
    func plainScalar(text: String, expected: YAMLValue) throws {
        #expect(try node("k: \(text)")["k"]?.resolved() == expected)
    }

    @Test func notANumber() throws {
        guard case .double(let value)? = try node("k: .NaN")["k"]?.resolved() else {
            Issue.record("expected a double")
            return
        }
        #expect(value.isNaN)
    }

    @Test func quotedAndBlockScalarsAreAlwaysStrings() throws {
        let root = try node("- '1'\n- \"true\"\n- |-\n  null\n- >-\n  3.5")
        #expect(root.resolved() == .array([.string("1"), .string("true"), .string("null"), .string("3.5")]))
    }

    @Test func emptyValueIsNullButEmptyQuotedIsString() throws {
        let root = try node("a:\nb: ''\nc: !!str")
        #expect(root.resolved().object == ["a": .null, "b": .string(""), "c": .string("")])
    }

    @Test func keysBecomeStrings() throws {
        #expect(try json("1: a\n0x10: b\ntrue: c\n~: d\n1.5: e\n'1': f") ==
                #"{"1":"f","16":"b","true":"c","null":"d","1.5":"e"}"#)
    }

    @Test func accessors() throws {
        let root = try node("s: text\nn: ~\ne:\nq: 'null'\nl: [a, b]\nm: {k: v}\nt: !!null x")
        #expect(root["s"]?.string == "text")
        #expect(root["n"]?.string == nil)
        #expect(root["n"]?.isNull == true)
        #expect(root["e"]?.isNull == true)
        #expect(root["q"]?.isNull == false)
        #expect(root["q"]?.string == "null")
        #expect(root["t"]?.isNull == true)
        #expect(root["l"]?.sequence?.compactMap(\.string) == ["a", "b"])
        #expect(root["l"]?.string == nil)
        #expect(root["l"]?.pairs == nil)
        #expect(root["m"]?.pairs?.first?.key.string == "k")
        #expect(root["m"]?["k"]?.string == "v")
        #expect(root["missing"] == nil)
        #expect(root["s"]?["k"] == nil)
        #expect(root.sequence == nil)
    }

    @Test func resolvedKeepsKeyOrder() throws {
        let value = try node("z: 1\na: 2\nm: 3").resolved()
        #expect(value == .object([
            YAMLValue.Member(key: "z", value: .int(1)),
            YAMLValue.Member(key: "a", value: .int(2)),
            YAMLValue.Member(key: "m", value: .int(3)),
        ]))
    }

    @Test func jsonDataEscapesStrings() throws {
        #expect(try json(#"k: "q\" b\\ nl\n tab\t bell\a é""#) == #"{"k":"q\" b\\ nl\n tab\t bell\u0007 é"}"#)
    }

    @Test func jsonDataFeedsJSONDecoder() throws {
        struct Exec: Decodable, Equatable {
            var command: String
            var args: [String]
            var env: [[String: String]]?
            var provideClusterInfo: Bool
        }
        let text = """
            command: aws
            args: [eks, get-token, --cluster-name, "prod"]
            env: null
            provideClusterInfo: no
            """
        let exec = try JSONDecoder().decode(Exec.self, from: try node(text).jsonData())
        #expect(exec == Exec(command: "aws", args: ["eks", "get-token", "--cluster-name", "prod"], env: nil,
                             provideClusterInfo: false))
    }

    @Test func manyKeysStillDeduplicate() throws {
        // Large mappings look keys up through a dictionary instead of a linear search.
        let keys = (0..<40).map { "k\($0): \($0)" } + ["k3: last"]
        let value = try node(keys.joined(separator: "\n")).resolved()
        guard case .object(let members) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.count == 40)
        #expect(members[3] == YAMLValue.Member(key: "k3", value: .string("last")))
    }
}
