// swift-tools-version:6.1
import PackageDescription

/// Release builds let the optimiser see across module boundaries, so the frame views and the
/// compiled program specialise into the forwarding loop (measured: 7x on cross-module generics).
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))
]

let package = Package(
    name: "Bridgekeeper",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bridgekeeper", targets: ["bridgekeeper"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        // C, confined to thin shims.
        .target(name: "CLinuxShim", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNftnl", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev", "libmnl-dev"])]),

        // The Linux platform layer: errno, clocks, threads, the SPSC ring, the netlink socket, JSON.
        .target(
            name: "Platform",
            dependencies: ["CLinuxShim", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: hotPathSettings),

        // The frame's journey.
        .target(name: "Frame", swiftSettings: hotPathSettings),
        .target(
            name: "Policy",
            dependencies: [
                "Frame", "CPcap", "Limits", "Answers", "Flow", .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .target(
            name: "Ruleset", dependencies: ["Frame", "Policy", "CPcap", "Limits", "Answers"],
            swiftSettings: hotPathSettings),
        .target(
            name: "Pipeline", dependencies: ["Frame", "Policy", "Ruleset", "Flow", "Limits", "Answers", "CPcap"],
            swiftSettings: hotPathSettings),
        // Answers: the resets and ICMP errors a `reject` sends back, built in the data plane.
        .target(name: "Answers", dependencies: ["Frame"], swiftSettings: hotPathSettings),
        // Limits: nft's token buckets, meters (a bucket per key) and quotas, clocked by the caller.
        .target(name: "Limits", dependencies: ["Frame"], swiftSettings: hotPathSettings),
        // Flow: the flow table behind `ct state` (one per forwarding thread).
        .target(name: "Flow", dependencies: ["Frame"], swiftSettings: hotPathSettings),
        .target(name: "Capture", dependencies: ["CPcap", "Platform"]),
        .target(
            name: "Mirror",
            dependencies: ["Frame", "Policy", "Platform", "Flow", "Limits", "Answers", "CNftnl", "CLinuxShim"]),
        .target(name: "Loader", dependencies: ["Frame", "Policy", "Ruleset", "Pipeline", "Answers"]),
        // import-nft: an nft ruleset (its JSON) read into a policy; pure logic, no I/O.
        .target(name: "NftImport", dependencies: ["Policy", "Loader"]),
        .target(
            name: "Replay",
            dependencies: ["Frame", "Policy", "Ruleset", "Pipeline", "Flow", "Answers", "Capture", "Platform"]),
        .target(name: "Ring", dependencies: ["CLinuxShim", "Frame", "Platform"], swiftSettings: hotPathSettings),
        .target(
            name: "Injection", dependencies: ["Frame", "Ring", "Platform", "Capture", "CLinuxShim"],
            swiftSettings: hotPathSettings),
        .target(
            name: "Bridge",
            dependencies: [
                "Frame", "Policy", "Ruleset", "Pipeline", "Ring", "Capture", "Loader", "Mirror", "Operations",
                "Platform", "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPathSettings
        ),
        .executableTarget(
            name: "bridgekeeper",
            dependencies: [
                "Frame", "Policy", "Ruleset", "Pipeline", "Capture", "Loader", "Replay", "Mirror", "Ring", "Bridge",
                "Injection", "Platform", "NftImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPathSettings
        ),

        // Operations: the /metrics endpoint, systemd notification, dropping privileges (plain data in).
        .target(name: "Operations", dependencies: ["CLinuxShim", "Platform"]),
        .executableTarget(name: "bk-privdrop-probe", dependencies: ["Operations", "Platform", "CLinuxShim"]),

        // Benchmarks (make bench-pipeline); the allocation counter wraps malloc, so only they link it.
        .target(name: "CAllocationCounter"),
        .executableTarget(
            name: "PipelineBench",
            dependencies: [
                "CAllocationCounter", "Frame", "Flow", "Answers", "Policy", "Ruleset", "Pipeline", "Loader", "Platform",
            ],
            swiftSettings: hotPathSettings
        ),
        .executableTarget(
            name: "OperationsBench", dependencies: ["Operations", "Bridge"], swiftSettings: hotPathSettings),

        // Fuzzing (make fuzz, deploy/fuzz.mk): the harness is plain code every build compiles; the two
        // executables are libFuzzer entry points when built with -DBRIDGEKEEPER_LIBFUZZER and corpus
        // replayers otherwise. The C shim only reaches ASan's poisoning calls when ASan is linked in.
        .target(name: "CFuzzShim"),
        .target(
            name: "FuzzHarness",
            dependencies: [
                "CFuzzShim", "Frame", "Policy", "Ruleset", "Pipeline", "Flow", "Answers", "Loader", "Mirror",
            ]
        ),
        .executableTarget(name: "FuzzFrame", dependencies: ["FuzzHarness"]),
        .executableTarget(name: "FuzzPolicy", dependencies: ["FuzzHarness"]),

        .testTarget(name: "FrameTests", dependencies: ["Frame"]),
        .testTarget(name: "FlowTests", dependencies: ["Flow", "Frame"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy"]),
        .testTarget(name: "AnswersTests", dependencies: ["Answers", "Frame"]),
        .testTarget(name: "LimitsTests", dependencies: ["Limits", "Frame"]),
        .testTarget(name: "PipelineTests", dependencies: ["Frame", "Policy", "Ruleset", "Pipeline"]),
        .testTarget(
            name: "LoaderTests",
            dependencies: ["Frame", "Policy", "Ruleset", "Pipeline", "Loader", "Capture", "Replay"]),
        .target(name: "TestSupport", dependencies: ["CLinuxShim"], path: "Tests/TestSupport"),
        .testTarget(name: "CLITests", dependencies: ["Bridge", "Capture", "Frame", "TestSupport"]),
        .testTarget(name: "BridgeTests", dependencies: ["Bridge", "Frame", "Policy", "Mirror", "TestSupport"]),
        .testTarget(
            name: "BridgeUnitTests",
            dependencies: [
                "Bridge", "Frame", "Loader", "Mirror", "Operations", "Pipeline", "Policy", "Ring", "Ruleset",
            ]),
        .testTarget(name: "RingTests", dependencies: ["Ring", "Frame", "Platform", "CLinuxShim", "TestSupport"]),
        .testTarget(name: "MirrorTests", dependencies: ["Mirror", "Policy", "Frame", "CLinuxShim", "TestSupport"]),
        .testTarget(name: "OperationsTests", dependencies: ["Operations", "CLinuxShim", "TestSupport"]),
        .testTarget(name: "InjectionTests", dependencies: ["Injection", "Frame", "Capture", "Ring", "TestSupport"]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["FuzzHarness", "Frame", "Loader", "Pipeline"]),
        .testTarget(
            name: "NftImportTests", dependencies: ["NftImport", "Policy", "Loader", "Capture", "TestSupport"],
            exclude: ["Rulesets"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "CLinuxShim"]),
    ]
)
