import Inventory

/// `--kubeconfig`, `--context`: which cluster, as kubectl finds it.
struct ConnectionOptions: OptionGroup {
    var kubeconfig: String?
    var context: String?

    static var options: [Option<Self>] {
        [
            Option("kubeconfig", help: "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)", \.kubeconfig),
            Option("context", help: "kubeconfig context (default: current-context)", \.context),
        ]
    }
}

/// `--exclude-namespaces`, `--include-namespaces`.
struct ScopeOptions: OptionGroup {
    var excluded: [String] = []
    var included: [String] = []

    var scope: NamespaceScope { NamespaceScope(included: included, excluded: excluded) }

    static var exclude: Option<Self> {
        Option("exclude-namespaces", help: "comma-separated namespaces to leave out", list: \.excluded)
    }

    static var options: [Option<Self>] {
        [exclude, Option("include-namespaces", help: "comma-separated namespaces to scan (others are left out)", list: \.included)]
    }
}

/// `--exceptions`, `--controls-config`: the user's input files, read by `InputFiles`.
struct InputFileOptions: OptionGroup {
    var exceptions: String?
    var controlsConfig: String?

    static var options: [Option<Self>] {
        [
            Option("exceptions", help: "Kubescape-format exceptions file (JSON or YAML)", \.exceptions),
            Option("controls-config", help: "controls configuration (YAML or JSON) overriding the defaults", \.controlsConfig),
        ]
    }
}

extension Option {
    /// `--verbose`, `-v` of the commands that print the pretty report.
    static func verbose(_ property: WritableKeyPath<Root, Bool>) -> Option {
        Option(flag: "verbose", short: "v", help: "list every failing resource with evidence and remediation", property)
    }
}
