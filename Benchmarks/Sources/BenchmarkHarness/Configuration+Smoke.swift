import Benchmark
import BenchmarkSupport

extension Benchmark.Configuration {
    /// This configuration, or in a smoke run (``BenchmarkSupport/Fixtures/smoke``) the same metrics
    /// with at most one warm-up and 3 iterations of at most 1 s in all: enough to see that the
    /// benchmark still runs, not to measure it.
    public var smokeAware: Benchmark.Configuration {
        guard Fixtures.smoke else { return self }
        var smoke = self
        smoke.warmupIterations = Swift.min(warmupIterations, 1)
        smoke.maxIterations = Swift.min(maxIterations, 3)
        smoke.maxDuration = .seconds(1)
        return smoke
    }
}
