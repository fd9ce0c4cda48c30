// swift-tools-version:6.0
// The agstate engine: Swift modules behind one C ABI (include/agstate.h).
// Module layering and conventions: ../shared/DESIGN.md.
import PackageDescription

let packageRoot = Context.packageDirectory

let package = Package(
    name: "agstate",
    products: [
        // libagstate.so: only the ags_* functions of include/agstate.h are exported.
        .library(name: "agstate", type: .dynamic, targets: ["AGExports"]),
        // The command-line tools (installed as `agstate`): validate and replay captured event streams.
        .executable(name: "agstate-tool", targets: ["AGStateTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // Errors and locks that every engine module shares.
        .target(name: "AGCore"),
        .target(
            name: "AGJSON",
            dependencies: ["AGCore"],
            // Its only class instances (a large container's box, a persistent vector's nodes) are changed
            // only once known to be uniquely referenced, so the dynamic exclusivity checks guard nothing;
            // they cost about a tenth of a one-operation store patch.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        // include/agstate.h, read by the shim for its constants and structs.
        .systemLibrary(name: "CAgstateHeader", path: "Sources/CAgstateHeader"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "AGCodec", dependencies: ["AGCore", "AGJSON", "CZlib", "CZstd"]),
        .target(
            name: "AGEvents",
            dependencies: ["AGJSON", .product(name: "DequeModule", package: "swift-collections")],
            // A validator is used by one thread at a time (the C ABI serialises calls), and the dynamic
            // exclusivity checks cost a tenth of the time per event.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .target(
            name: "AGState",
            dependencies: ["AGJSON", .product(name: "DequeModule", package: "swift-collections")]
        ),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibpq", path: "Sources/CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // Durable stores behind AGState's StoreJournal: SQLite (embedded default), PostgreSQL and Redis (shared
        // by many processes), encryption at rest, backups.
        .target(name: "AGStorage", dependencies: ["AGCore", "AGJSON", "AGState", "AGCodec", "CZlib", "CSQLite", "CSodium", "CLibpq", "CHiredis"]),
        // Many stores per process: lazy loading, eviction under a byte budget, rate limits, metrics,
        // logs, traces and health.
        .target(name: "AGRegistry", dependencies: ["AGCore", "AGJSON", "AGState", "AGCodec", "AGStorage"]),
        .target(
            name: "AGExports",
            dependencies: ["AGCore", "AGJSON", "AGState", "AGCodec", "AGEvents", "AGStorage", "AGRegistry", "CAgstateHeader"],
            exclude: ["agstate.map"],
            linkerSettings: [
                .unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "-soname=libagstate.so.0",
                    "-Xlinker", "--version-script=\(packageRoot)/Sources/AGExports/agstate.map",
                ]),
            ]
        ),
        // The registry's lookup measured without the C boundary (benchmarks/RESULTS.md).
        .executableTarget(name: "agstate-bench-registry", dependencies: ["AGRegistry", "AGJSON"], path: "Sources/AGRegistryBench"),
        .executableTarget(
            name: "AGStateTool", dependencies: ["AGEvents", "AGJSON"],
            // Swift 5 mode: the C standard streams (stdin, stdout, stderr) are global variables.
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(name: "AGCoreTests", dependencies: ["AGCore"]),
        .testTarget(name: "AGJSONTests", dependencies: ["AGJSON", .product(name: "OrderedCollections", package: "swift-collections")]),
        .testTarget(name: "AGStateTests", dependencies: ["AGState", "AGJSON"]),
        .testTarget(name: "AGEventsTests", dependencies: ["AGEvents", "AGJSON"]),
        .testTarget(name: "AGRegistryTests", dependencies: ["AGRegistry", "AGState", "AGJSON", "AGCore", "AGStorage"]),
        .testTarget(name: "AGCodecTests", dependencies: ["AGCodec", "AGJSON"]),
        .testTarget(name: "AGStorageTests", dependencies: ["AGStorage", "AGState", "AGJSON", "AGCore"]),
        // The engine's constants and defaults against include/agstate.h, where they are written.
        .testTarget(name: "HeaderTests", dependencies: ["CAgstateHeader", "AGCore", "AGJSON", "AGState", "AGCodec", "AGEvents", "AGStorage", "AGRegistry"]),
    ]
)
