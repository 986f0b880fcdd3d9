import Audit

/// `[framework NAMES | control IDS]`, the positionals of `scan`, `check-permissions` and
/// `generate admission-policy`: the controls to run and the frameworks to score.
struct Selection {
    var controls: [Control]
    var frameworks: [Framework]

    /// The default: the frameworks of a plain `lookout scan`.
    init() {
        self.init(frameworks: Framework.defaultSelection)
    }

    private init(frameworks: [Framework]) {
        self.init(controls: Catalogue.controls.filter { control in frameworks.contains { $0.contains(control) } }, frameworks: frameworks)
    }

    private init(controls: [Control], frameworks: [Framework]) {
        self.controls = controls
        self.frameworks = frameworks
    }

    init(_ positionals: [String]) throws(UsageError) {
        self = try Self.parse(positionals)
    }

    private static func parse(_ positionals: [String]) throws(UsageError) -> Selection {
        guard let kind = positionals.first else { return Selection() }
        guard positionals.count == 2 else {
            throw UsageError(description: "expected `framework NAMES` or `control IDS`, got \"\(positionals.joined(separator: " "))\"")
        }
        var seen = Set<String>()
        let names = positionals[1].commaSeparated.filter { seen.insert($0.lowercased()).inserted }
        switch kind {
        case "framework", "frameworks":
            if names.map({ $0.lowercased() }) == ["all"] { return Selection(controls: Catalogue.controls, frameworks: Framework.all) }
            let frameworks = try names.map { name throws(UsageError) in
                guard let framework = Framework.named(name) else {
                    throw UsageError(description: "unknown framework \"\(name)\" (known: \(Framework.all.map(\.name).joined(separator: ", ")), all)")
                }
                return framework
            }
            return Selection(frameworks: frameworks)
        case "control", "controls":
            let controls = try names.map { id throws(UsageError) in
                guard let control = Catalogue.control(id: id) else {
                    throw UsageError(description: "unknown control \"\(id)\" (see `lookout list controls`)")
                }
                return control
            }
            return Selection(controls: controls, frameworks: [])
        default:
            throw UsageError(description: "unknown scan target \"\(kind)\"; use `framework NAMES` or `control IDS`")
        }
    }
}
