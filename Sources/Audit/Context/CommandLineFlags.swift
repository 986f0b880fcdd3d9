import Inventory

/// The flags on a container's command line (`command` then `args`), read the way Kubernetes components'
/// flag library reads them: `--name=value` or `--name value`; a flag given twice keeps both occurrences
/// (the last wins for a single value, list flags accumulate). An element holding a whole shell command
/// (`sh -c "kube-apiserver --a=b …"`) is split on whitespace.
struct CommandLineFlags: Sendable, Hashable {
    struct Flag: Sendable, Hashable {
        var name: String
        var value: String?
        /// Where the flag is written, e.g. `spec.containers[0].command[3]`.
        var path: String
        /// The flag as written, for evidence: `--authorization-mode=Node,RBAC`.
        var text: String { value.map { "--\(name)=\($0)" } ?? "--\(name)" }
    }

    let flags: [Flag]
    /// The container's path, for evidence about flags that are absent.
    let containerPath: String

    init(_ container: Container, path containerPath: String) {
        self.containerPath = containerPath
        var tokens: [(text: String, path: String)] = []
        for (field, elements) in [("command", container.command ?? []), ("args", container.args ?? [])] {
            for (index, element) in elements.enumerated() {
                let path = "\(containerPath).\(field)[\(index)]"
                tokens += element.split(whereSeparator: \.isWhitespace).map { (String($0), path) }
            }
        }
        var flags: [Flag] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard token.text.hasPrefix("--"), token.text.count > 2 else { continue }
            let body = token.text.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                flags.append(Flag(name: String(body[..<equals]), value: Self.unquoted(body[body.index(after: equals)...]), path: token.path))
            } else if index < tokens.count, !tokens[index].text.hasPrefix("-") || tokens[index].text == "-" {
                // A lone `-` is a value, standard output: minikube passes `--audit-log-path -`.
                flags.append(Flag(name: String(body), value: Self.unquoted(tokens[index].text[...]), path: token.path))
                index += 1
            } else {
                flags.append(Flag(name: String(body), value: nil, path: token.path))
            }
        }
        self.flags = flags
    }

    /// A value in matching quotes, as a shell (`sh -c "kube-apiserver --insecure-port='8080'"`) passes it.
    static func unquoted(_ value: Substring) -> String {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first else {
            return String(value)
        }
        return String(value.dropFirst().dropLast())
    }

    /// An integer flag value as the components' flag library (Go's strconv.ParseInt with base 0) reads
    /// it: `8080`, `0x1F90`, `0o17`, `017` (octal), `0b1`, `8_080`, with an optional sign.
    static func integer(_ text: String) -> Int? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        var radix = 10
        let lower = digits.lowercased()
        if lower.hasPrefix("0x") || lower.hasPrefix("0o") || lower.hasPrefix("0b") {
            radix = lower.hasPrefix("0x") ? 16 : lower.hasPrefix("0o") ? 8 : 2
            digits = digits.dropFirst(2)
        } else if digits.count > 1, digits.first == "0" {
            radix = 8
            digits = digits.dropFirst()
        }
        // Go accepts underscores between digits only with a base prefix; a stray one fails there, here it is read.
        digits = Substring(digits.filter { $0 != "_" })
        guard !digits.isEmpty, let magnitude = Int(digits, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// The last occurrence of `name` (without dashes).
    func flag(_ name: String) -> Flag? { flags.last { $0.name == name } }

    func value(of name: String) -> String? { flag(name)?.value }

    /// Comma-separated values of every occurrence of `name`, trimmed, empty entries dropped.
    func list(_ name: String) -> [String] {
        flags.filter { $0.name == name }.flatMap { ($0.value ?? "").split(separator: ",") }
            .map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
    }

    /// `spec.containers[0].command[3]=--insecure-port=8080`.
    func evidence(_ flag: Flag) -> String { "\(flag.path)=\(flag.text)" }

    /// `spec.containers[0]: --audit-policy-file is not set`.
    func absence(_ name: String, _ consequence: String) -> String {
        "\(containerPath): --\(name) is not set (\(consequence))"
    }
}
