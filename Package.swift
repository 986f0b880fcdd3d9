// swift-tools-version:6.0
import PackageDescription

// No third-party packages: Foundation(Essentials), Dispatch, the system libcurl and zlib are the whole dependency set.
let package = Package(
    name: "lookout",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lookout", targets: ["lookout"]),
    ],
    targets: [
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // gzip for the report kept in a ConfigMap; libcurl already links the same libz.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Lookout's version, read by the CLI, the User-Agent, the reports and the Makefile (image tag).
        .target(name: "Product"),
        // The YAML reader and the YAML/JSON → Decodable decoder every input file goes through
        // (kubeconfig, exceptions, controls configuration, manifests, snapshots).
        .target(name: "Documents"),
        .target(name: "KubeClient", dependencies: ["CCurl", "Documents", "Product"]),
        .target(name: "Inventory", dependencies: ["KubeClient", "Documents"]),
        .target(name: "Audit", dependencies: ["Inventory", "Documents"]),
        .target(name: "Reports", dependencies: ["Audit", "Inventory", "Documents", "CZlib"]),
        // ValidatingAdmissionPolicies generated from the workload controls.
        .target(name: "Admission", dependencies: ["Audit", "Inventory", "Documents"]),
        // The commands, as a library so that LookoutTests can parse and run them; the executable only calls it.
        .target(name: "LookoutCLI", dependencies: ["Product", "Documents", "KubeClient", "Inventory", "Audit", "Reports", "Admission"]),
        .executableTarget(name: "lookout", dependencies: ["LookoutCLI"]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "Documents", "FuzzSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "Documents", "ManifestFixtures"]),
        // The admission gate is checked against the very fixtures the control tests use, so it tests here.
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Admission", "Inventory", "Documents", "ConsumerSupport", "ManifestFixtures"]),
        // The real consumers of the report formats (schema validators, parsers, a headless browser), for tests only.
        .target(name: "ConsumerSupport", path: "Tests/ConsumerSupport", exclude: ["consumers.py", "Schemas"]),
        // YAML fixtures the unit and integration tests share (a workload's boilerplate, written once).
        .target(name: "ManifestFixtures", path: "Tests/ManifestFixtures"),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Audit", "Inventory", "ConsumerSupport"]),
        .testTarget(name: "LookoutTests", dependencies: ["LookoutCLI", "Inventory", "Audit", "Reports"]),
        // The fuzz targets (every input Lookout reads, with the oracle) and their seeds and mutators, shared by
        // the seeded fuzzer (FuzzTests, `make fuzz`) and the libFuzzer entry point (lookout-fuzz).
        .target(name: "FuzzSupport", dependencies: ["Documents", "KubeClient", "Inventory", "Audit"], path: "Tests/FuzzSupport"),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzSupport", "Documents", "Inventory", "LookoutCLI"]),
        .executableTarget(name: "lookout-fuzz", dependencies: ["FuzzSupport", "Inventory"], path: "Tests/LibFuzzer"),
        .testTarget(
            name: "IntegrationTests", dependencies: ["Documents", "KubeClient", "Inventory", "Audit", "Reports", "LookoutCLI", "ConsumerSupport", "ManifestFixtures"],
            exclude: ["Golden"]),
    ]
)
