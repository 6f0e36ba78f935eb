// swift-tools-version: 6.1
import PackageDescription

// The benchmarks of Tasklog, a package of their own (as swift-nio's are), so that the main
// package does not depend on the benchmark package. Run them from this folder:
//
//     swift package --allow-writing-to-package-directory benchmark
//
// (see BENCHMARKS.md in the main package for what each measures, and the figures).

/// Tasklog's libraries, which every target here uses.
let tasklog: [Target.Dependency] = [
    .product(name: "Tasklog", package: "Tasklog"),
    .product(name: "TasklogCore", package: "Tasklog"),
    .product(name: "LMDB", package: "Tasklog"),
]
/// What an executable outside the benchmark harness needs: Tasklog and the fixtures.
let profileDependencies: [Target.Dependency] = tasklog + ["BenchmarkSupport"]
/// What a benchmark needs: the harness too, and its smoke-run settings (BenchmarkHarness).
let benchmarkDependencies: [Target.Dependency] =
    profileDependencies + [
        .product(name: "Benchmark", package: "benchmark"), "BenchmarkHarness",
    ]

let package = Package(
    name: "TasklogBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Tasklog", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Fixtures: a realistic event mix, stores built once per run.
        .target(name: "BenchmarkSupport", dependencies: tasklog),
        // What the benchmarks share that needs the harness: the short configuration of a smoke run.
        .target(
            name: "BenchmarkHarness",
            dependencies: ["BenchmarkSupport", .product(name: "Benchmark", package: "benchmark")]
        ),
        // Replay, cold open (with and without a snapshot) and the raw LMDB scan.
        .executableTarget(
            name: "Recovery",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Recovery",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Replay, cold open or append outside the harness, for callgrind and perf.
        .executableTarget(
            name: "Profile",
            dependencies: profileDependencies
        ),
        // Query costs (state as of a point, history of a task, time → seq, ready work), medians and p99.
        .executableTarget(
            name: "QueryProfile",
            dependencies: profileDependencies
        ),
        // Durable appends, single and concurrent (group commit), and raw LMDB durable commits.
        .executableTarget(
            name: "Append",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Append",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Peak resident memory and allocations of a full replay and of an open store, and the
        // bytes a live task takes in memory.
        .executableTarget(
            name: "Memory",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Memory",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The PostgreSQL backend against LMDB and a plain SQL event table on the same server: appends
        // (single, batches, concurrent writer processes), follow latency across processes, opening a
        // big store on a new host.
        .executableTarget(
            name: "PostgresProfile",
            dependencies: profileDependencies + [
                .product(name: "TasklogPostgres", package: "Tasklog"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The Tasklog side of tools/bench-peers: the peer workload against real stores, as JSON.
        .executableTarget(
            name: "PeerWorkload",
            dependencies: profileDependencies
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    target.swiftSettings = settings
}
