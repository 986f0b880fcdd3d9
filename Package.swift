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
        .target(name: "KubeClient", dependencies: ["CCurl"]),
        .target(name: "Inventory", dependencies: ["KubeClient"]),
        .target(name: "Audit", dependencies: ["Inventory"]),
        .target(name: "Reports", dependencies: ["Audit", "CZlib"]),
        // ValidatingAdmissionPolicies generated from the workload controls.
        .target(name: "Admission", dependencies: ["Audit", "Inventory", "KubeClient"]),
        .executableTarget(name: "lookout", dependencies: ["KubeClient", "Inventory", "Audit", "Reports", "Admission"]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient"], exclude: ["Fixtures"]),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory"]),
        // The admission gate is checked against the very fixtures the control tests use, so it tests here.
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Admission", "ConsumerSupport"]),
        // The real consumers of the report formats (schema validators, parsers, a headless browser), for tests only.
        .target(name: "ConsumerSupport", path: "Tests/ConsumerSupport", exclude: ["consumers.py", "Schemas"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "ConsumerSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["KubeClient", "Inventory", "Audit", "Reports", "ConsumerSupport"]),
    ]
)
