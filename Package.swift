// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Tasklog",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Tasklog", targets: ["Tasklog"]),
        .library(name: "TasklogCore", targets: ["TasklogCore"]),
        .library(name: "TasklogLMDB", targets: ["TasklogLMDB"]),
        .library(name: "TasklogPostgres", targets: ["TasklogPostgres"]),
        .library(name: "LMDB", targets: ["LMDB"]),
        .executable(name: "tasklog", targets: ["tasklog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // `swift package generate-documentation --target Tasklog`: the catalog in Sources/Tasklog/Tasklog.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"]), .brew(["lmdb"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // Zstandard, for the snapshot bodies a store keeps (TasklogCore's SnapshotBody).
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        .target(name: "TasklogCore", dependencies: ["Yams", "CZstd"]),
        // The storage seam: TasklogCore has the protocol, TasklogLMDB the LMDB backend (the only
        // module besides the LMDB wrapper that imports LMDB), Tasklog the engine over any backend.
        .target(name: "TasklogLMDB", dependencies: ["TasklogCore", "LMDB"]),
        // The PostgreSQL backend: one store shared by agents on many hosts.
        .target(
            name: "TasklogPostgres",
            dependencies: [
                "TasklogCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "Tasklog", dependencies: ["TasklogCore", "TasklogLMDB", "TasklogPostgres"]),
        .target(
            name: "TasklogMCP",
            dependencies: [
                "Tasklog",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The tools' input and output JSON Schemas, embedded in the binary: the one copy of each.
            resources: [.embedInCode("Schemas")]
        ),
        .target(
            name: "TasklogServer",
            dependencies: [
                "Tasklog",
                "TasklogCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // The page's own files, embedded in the binary: one binary serves the whole page.
            resources: [
                .embedInCode("Assets/index.html"), .embedInCode("Assets/app.js"), .embedInCode("Assets/app.css"),
            ]
        ),
        // Scripted work on a real store (the append writer, the build-task orchestrator): run by
        // `tasklog demo` and by the test rigs.
        .target(name: "TasklogWorkloads", dependencies: ["Tasklog", "TasklogCore"]),
        .executableTarget(
            name: "tasklog",
            dependencies: [
                "Tasklog",
                "TasklogWorkloads",
                "TasklogMCP",
                "TasklogServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the tests share: the built executables, a child run to its end, a seeded generator
        // (as Hummingbird's HummingbirdTesting).
        .target(name: "TasklogTestSupport", path: "Tests/TasklogTestSupport"),
        // The test rigs (writers and workers that tests start on a real store and kill): built
        // with the package, never a product, so that the user's `tasklog` ships none of them.
        .executableTarget(
            name: "tasklog-rigs",
            dependencies: [
                "Tasklog",
                "TasklogCore",
                "TasklogWorkloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/TasklogRigs"
        ),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
        .testTarget(
            name: "TasklogCoreTests",
            dependencies: ["TasklogCore", "TasklogTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "TasklogTests",
            dependencies: [
                "Tasklog", "TasklogLMDB", "TasklogPostgres", "LMDB", "TasklogTestSupport", "tasklog", "tasklog-rigs",
            ],
            exclude: ["Support/commit_cutter.py"]
        ),
        .testTarget(
            name: "TasklogMCPTests",
            dependencies: ["TasklogMCP", "TasklogLMDB", "LMDB", "TasklogTestSupport", "tasklog"]
        ),
        .testTarget(
            name: "TasklogServerTests",
            dependencies: [
                "TasklogServer", "Tasklog", "TasklogCore", "TasklogLMDB", "LMDB", "TasklogTestSupport", "tasklog",
            ]
        ),
    ]
)

// Strict settings for every target, set once (as apple/swift-log does).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    // An import is internal unless it says `public import`: no dependency's type slips into the
    // public API unnoticed.
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
