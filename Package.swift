// swift-tools-version: 6.1
// Hindsight: a Prometheus-compatible monitoring server with a deterministic rule replay engine.
// Module layout (dependencies point one way):
//   Model ← Exposition ← TSDB ← PromQL ← Rules ← Replay / Snapshot / Scrape ← Server ← hindsight
// C and C++ libraries from Debian come in through small targets (CRE2 for RE2, CSnappy for
// snappy, CArchive for libarchive, CCrypto for OpenSSL's SHA-256).
import PackageDescription

let package = Package(
    name: "Hindsight",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hindsight", targets: ["hindsight"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "TSDB", targets: ["TSDB"]),
        .library(name: "PromQL", targets: ["PromQL"]),
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Replay", targets: ["Replay"]),
        .library(name: "Snapshot", targets: ["Snapshot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // RE2 (Debian's libre2-dev) behind a tiny extern "C" shim, so that label matchers
        // use the same linear-time regex engine and syntax as Prometheus.
        .target(
            name: "CRE2",
            linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]
        ),
        // Snappy (Debian's libsnappy-dev) for compressed WAL records and remote write.
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // libarchive (Debian's libarchive-dev) for snapshot tarballs.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        // OpenSSL's libcrypto (Debian's libssl-dev) for the SHA-256 of snapshot files.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // CRC-32C with the SSE4.2 instruction (the checksum of every TSDB file section).
        .target(name: "CCRC32C"),
        // A cache prefetch hint for the head's batch appends (one C builtin).
        .target(name: "CPrefetch"),
        .target(name: "Model", dependencies: ["CRE2"]),
        .target(name: "Exposition", dependencies: ["Model"]),
        .target(name: "TSDB", dependencies: ["Model", "Exposition", "CSnappy", "CCRC32C", "CPrefetch"]),
        .target(name: "PromQL", dependencies: ["Model", "TSDB"]),
        // Rule files, templates, recording and alerting rule evaluation, rule unit tests.
        .target(name: "Rules", dependencies: ["Model", "TSDB", "PromQL", .product(name: "Yams", package: "Yams")]),
        // Deterministic back-testing of rule files over historical blocks.
        .target(name: "Replay", dependencies: ["Model", "TSDB", "PromQL", "Rules"]),
        // Snapshot tarballs: export, inspect, verify and import blocks between machines.
        .target(name: "Snapshot", dependencies: ["Model", "TSDB", "CArchive", "CCrypto"]),
        // Runs Prometheus's promqltest scripts (`hindsight test promql`, the conformance suite).
        .target(name: "PromQLTest", dependencies: ["PromQL", "TSDB", "Model"]),
        .executableTarget(
            name: "hindsight",
            dependencies: [
                "Model", "Exposition", "TSDB", "PromQL", "PromQLTest", "Rules", "Replay", "Snapshot",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared test helpers: locating the conformance corpus, running external programs.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "Model", "TestSupport"]),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB", "Model", "Exposition", "TestSupport"]),
        .testTarget(
            name: "PromQLTests", dependencies: ["PromQL", "PromQLTest", "TSDB", "Model", "TestSupport"],
            exclude: ["KnownFailures.txt"]
        ),
        .testTarget(
            name: "RulesTests", dependencies: ["Rules", "PromQL", "TSDB", "Model", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Rules", "PromQL", "TSDB", "Model", "TestSupport"]),
        .testTarget(name: "SnapshotTests", dependencies: ["Snapshot", "TSDB", "Model", "TestSupport"]),
        .testTarget(name: "HindsightCLITests", dependencies: ["hindsight", "Exposition", "Model", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
