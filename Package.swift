// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

/// Release links of the daemon use lld with a code layout: the functions its steady loop runs first, then
/// those only start-up runs (Linker/hot-functions.order, recorded by `make hot-functions`). Compiled with one
/// section per function (the Makefile's RELEASE_BUILD), they end up together at the start of .text, so
/// after the daemon gives back its start-up pages the code it keeps resident is a few contiguous megabytes
/// instead of pages spread over 21 MB (file-backed RSS at 1,000 pods 14.3 -> 11.3 MiB). A function missing
/// from the list only costs a page fault elsewhere; `scripts/check-layout.sh` (in `make test`) checks the
/// layout was applied.
let hotFunctionLayout: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Linker/hot-functions.order",
            "-Xlinker", "--no-warn-symbol-ordering",
        ],
        .when(platforms: [.linux], configuration: .release)
    ),
]

let package = Package(
    name: "oomwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "oomwatch", targets: ["oomwatch"]),
        .executable(name: "oomwatch-bench", targets: ["OOMWatchBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // libsystemd (sd-journal, sd-daemon) as a system library.
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"]), .yum(["systemd-devel"])]
        ),
        // libyaml's event parser (kubelet's configuration file), linked statically: see Sources/CYAML/shim.h.
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML"
        ),
        // Pure core: parsing, classification, rules, history, rendering. No I/O.
        .target(
            name: "OOMWatchCore",
            swiftSettings: swiftSettings
        ),
        // Thin adapters: journal, kmsg, cgroupfs, pod directory, kubelet config, process.
        .target(
            name: "OOMWatchAdapters",
            dependencies: [
                "OOMWatchCore",
                "CSystemd",
                "CYAML",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            // libyaml.a rather than -lyaml: nothing more for the daemon's image or host to install.
            linkerSettings: [.linkedLibrary(":libyaml.a", .when(platforms: [.linux]))]
        ),
        // HTTP server, node state, metrics and the daemon's services.
        .target(
            name: "OOMWatchServer",
            dependencies: [
                "OOMWatchCore",
                "OOMWatchAdapters",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "oomwatch",
            dependencies: [
                "OOMWatchServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: hotFunctionLayout
        ),
        .executableTarget(
            name: "OOMWatchBench",
            // OOMWatchTestSupport: the seeded generator the tests use (SplitMix64) drives the fixture's walk.
            dependencies: ["OOMWatchCore", "OOMWatchAdapters", "OOMWatchServer", "OOMWatchTestSupport"],
            path: "Benchmarks/OOMWatchBench",
            swiftSettings: swiftSettings
        ),
        // What the fuzz targets share: the libFuzzer driver hand-off and the replay of files.
        .target(
            name: "FuzzSupport",
            path: "Fuzz/FuzzSupport",
            swiftSettings: swiftSettings
        ),
        // libFuzzer target over the kernel-log decoders, parser and assembler (see Fuzz/README.md).
        // A plain build is a replay tool for corpus and crash files.
        .executableTarget(
            name: "KernelParserFuzz",
            dependencies: ["OOMWatchCore", "FuzzSupport"],
            path: "Fuzz/KernelParserFuzz",
            swiftSettings: swiftSettings
        ),
        // libFuzzer target over the cgroupfs and /proc file parsers and the sample assembler
        // (see Fuzz/README.md). A plain build replays files.
        .executableTarget(
            name: "CgroupFileFuzz",
            dependencies: ["OOMWatchCore", "FuzzSupport"],
            path: "Fuzz/CgroupFileFuzz",
            swiftSettings: swiftSettings
        ),
        // libFuzzer target over kubelet's configuration: libyaml, YAMLComposer, the loader and resolve
        // (see Fuzz/README.md). A plain build replays files.
        .executableTarget(
            name: "KubeletConfigFuzz",
            dependencies: ["OOMWatchAdapters", "OOMWatchCore", "FuzzSupport"],
            path: "Fuzz/KubeletConfigFuzz",
            swiftSettings: swiftSettings
        ),
        // libFuzzer target over the HTTP request path: NIO's decoder with the daemon's limits, HTTPRequest
        // and the daemon's Router on an EmbeddedChannel (see Fuzz/README.md). A plain build replays files.
        .executableTarget(
            name: "HTTPRequestFuzz",
            dependencies: [
                "OOMWatchServer", "OOMWatchCore", "FuzzSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/HTTPRequestFuzz",
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets: scratch cgroups, allocators, journald, daemon launcher.
        .target(
            name: "OOMWatchTestSupport",
            dependencies: ["OOMWatchCore", "OOMWatchAdapters"],
            path: "Tests/OOMWatchTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OOMWatchCoreTests",
            dependencies: ["OOMWatchCore", "OOMWatchTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OOMWatchAdaptersTests",
            dependencies: ["OOMWatchCore", "OOMWatchAdapters", "OOMWatchTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OOMWatchServerTests",
            dependencies: [
                "OOMWatchServer", "OOMWatchTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["OOMWatchTestSupport", "OOMWatchCore"],
            // Golden terminal output, read (and rewritten with OOMWATCH_UPDATE_GOLDEN=1) from the source tree.
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)
