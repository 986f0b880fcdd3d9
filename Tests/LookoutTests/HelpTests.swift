import Testing
@testable import LookoutCLI

/// `--help` is generated from the declarations: every command answers it and lists each of its options.
@Suite struct HelpTests {
    /// Every command under `lookout`, with its path.
    static let commands: [(path: String, type: any Command.Type)] = {
        func walk(_ type: any Command.Type, _ path: String) -> [(path: String, type: any Command.Type)] {
            [(path, type)] + type.configuration.subcommands.flatMap { walk($0, path + " " + $0.configuration.name) }
        }
        return walk(LookoutCommand.self, "lookout")
    }()

    @Test func everyCommandIsReachable() {
        #expect(Self.commands.map(\.path) == [
            "lookout", "lookout scan", "lookout check-permissions", "lookout collect", "lookout diff", "lookout generate",
            "lookout generate admission-policy", "lookout list", "lookout version",
        ])
    }

    @Test func everyCommandAnswersHelp() throws {
        for (path, type) in Self.commands {
            for flag in ["--help", "-h"] {
                #expect(try type.parse([flag]) == nil, "\(path) \(flag)")
            }
            #expect(type.help(path: path).hasPrefix("Usage: \(path) "), "\(path)")
        }
    }

    @Test func helpListsEveryOptionOnceAndNamesAreUnique() {
        for (path, type) in Self.commands where type.configuration.subcommands.isEmpty {
            let help = type.help(path: path)
            let lines = type.optionLines
            #expect(Set(lines.map(\.name)).count == lines.count, "\(path): an option name is declared twice")
            let shorts = lines.compactMap(\.short)
            #expect(Set(shorts).count == shorts.count, "\(path): a short option is declared twice")
            for line in lines {
                #expect(help.components(separatedBy: line.text).count == 2, "\(path) --help does not list --\(line.name) once")
            }
        }
    }

    @Test func rootHelpListsTheCommands() {
        let help = LookoutCommand.help(path: "lookout")
        #expect(help == """
            Usage: lookout <command> [options]

            Commands:
              scan [framework NAMES | control IDS]   audit the cluster (default: ClusterScan, MITRE, NSA, lookout)
              check-permissions                      what the credentials may read; controls a scan would skip
              collect --output snapshot.json         save what a scan reads, for `scan --from` without the cluster
              diff OLD.json NEW.json                 compare two JSON reports: new, unchanged and resolved findings
              generate admission-policy [...]        the workload controls as ValidatingAdmissionPolicies
              list controls|frameworks [--format json]
              version

            Run `lookout <command> --help` for a command's options.

            """)
    }

    @Test func commandHelpLayout() {
        let help = DiffCommand.help(path: "lookout diff")
        #expect(help == """
            Usage: lookout diff OLD.json NEW.json [options]

            Marks each finding of NEW as new or unchanged against OLD and lists OLD's resolved findings.

            Options:
                  --format VALUE                pretty (default) or json (the new report with its baseline section)
                  --fail-on-new                 exit 1 when NEW has a new finding (>= --severity-threshold)
                  --severity-threshold VALUE    fail when a failed resource is at or above low|medium|high|critical
              -v, --verbose                     list every failing resource with evidence and remediation
              -h, --help                        show this help

            Exit codes: 0 compared (and the --fail-on-new gate passed), 1 --fail-on-new found new findings,
            2 bad usage or an unreadable report.

            """)
    }

    @Test func usageErrorsPointToTheHelp() {
        let error = UsageError(description: "unknown option --bogus")
        #expect(ScanCommand.usageMessage(error, path: "lookout scan") == "lookout scan: unknown option --bogus\nRun `lookout scan --help` for usage.")
        #expect(LookoutCommand.usageMessage(UsageError(description: "unknown command \"x\""), path: "lookout")
            == "lookout: unknown command \"x\"\n\n" + LookoutCommand.help(path: "lookout"))
    }
}

extension Command {
    /// Each option's name, short name and the text its help line must hold.
    static var optionLines: [(name: String, short: Character?, text: String)] {
        options.map { option in
            (option.name, option.short, ("--\(option.name)" + (option.takesValue ? " VALUE" : "")).padding(30) + option.help + "\n")
        }
    }
}
